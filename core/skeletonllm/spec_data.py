"""``skeletonllm validate`` reads the data a spec will train and test on, so a bad clip fails now, not at step 1000.

``validate_spec`` only asks a dataset for its split names (it runs before every
command). The ``validate`` command goes further, as ``train`` would: it lists
the training and test splits (an empty split, a folder without that split, a
data root that is a file of the wrong kind all fail here), reads every clip
(a corrupt file or a named pipe among the samples fails here, with its id),
and hands the training clip ids to each stage's teacher (a rationale file
missing some clips fails here, naming them). A progress bar appears when this
takes more than a second; ``validate --no-data`` skips it.
"""

from __future__ import annotations

from typing import Any

from .errors import SkeletonLLMError

#: clip errors listed before "... and N more"
_SHOWN = 3


def _seen(validated: Any, dataset: Any) -> list[int]:
    name = validated.spec.split.class_split
    everything = list(range(len(dataset.class_names)))
    return sorted(dataset.class_splits()[name].seen) if name else everything


def _candidates(validated: Any, dataset: Any) -> list[int]:
    name, which = validated.spec.split.class_split, validated.spec.eval.candidates
    if not name or which == "all":
        return list(range(len(dataset.class_names)))
    split = dataset.class_splits()[name]
    return sorted(split.seen if which == "seen" else split.unseen)


def _listed(dataset: Any, split: str, classes: list[int], path: str, what: str) -> tuple[list[Any], str | None]:
    """The samples of ``split`` (with a progress line when slow), or why they cannot be listed or are none."""
    from .progress import progress

    try:
        samples = list(progress(dataset.samples(split, classes=set(classes)), desc=f"listing {what}", unit="clip"))
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises, training would fail the same way
        return [], f"{path}: dataset {dataset.name!r} cannot list split {split!r}: {_one_line(exc)}"
    if not samples:
        return (
            [],
            f"{path}: split {split!r} of dataset {dataset.name!r} has no samples (of the classes it is asked for)",
        )
    return samples, None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:300]
    return text if isinstance(exc, SkeletonLLMError) else f"{type(exc).__name__}: {text}"


def _read_all(samples: list[Any], what: str, path: str) -> list[str]:
    """Load every clip; the first few failures are listed with their ids, the rest counted."""
    from .progress import progress

    failures = []
    for sample in progress(samples, desc=f"reading {what}", unit="clip", total=len(samples)):
        try:
            sample.load()
        except Exception as exc:  # noqa: BLE001 - any failure here is a failure at train time
            failures.append(f"{sample.id}: {_one_line(exc)}")
    if not failures:
        return []
    more = f" and {len(failures) - _SHOWN} more" if len(failures) > _SHOWN else ""
    return [f"{path}: {len(failures)} of {len(samples)} {what} cannot be read: {'; '.join(failures[:_SHOWN])}{more}"]


def _teacher_problems(validated: Any, ids: list[str]) -> list[str]:
    """Every stage that needs a teacher gets the spec's (or its default) and checks it covers ``ids``."""
    spec = validated.spec
    stages = [validated.build("stages", i) for i in range(len(spec.stages))]
    teacher = None
    for stage in stages:
        if stage.default_teacher is None:
            continue
        try:
            if teacher is None:
                default = validated.registry.create("teacher", stage.default_teacher)
                teacher = validated.build("teacher") if spec.teacher is not None else default
            stage.use_teacher(teacher)
            stage.check_teacher(ids)
        except Exception as exc:  # noqa: BLE001 - a teacher that cannot be built or lacks clips fails training too
            return [f"teacher: {_one_line(exc)}"]
    return []


def data_problems(validated: Any, read_clips: bool = True) -> list[str]:
    """List (and read) the training and test clips; problems as ``yaml.path: what is wrong`` lines."""
    spec = validated.spec
    try:
        dataset = validated.build("data")
        test_dataset = validated.build("eval.data") if spec.eval.data is not None else dataset
        seen = _seen(validated, dataset)
        candidates = _candidates(validated, dataset) if test_dataset is dataset else None
    except Exception as exc:  # noqa: BLE001 - the plugin's own error is the message
        return [f"data: dataset {spec.data.name!r} cannot be used: {_one_line(exc)}"]
    if candidates is None:
        candidates = list(range(len(test_dataset.class_names)))
    test_path = "eval.split" if spec.eval.split else "split.test"
    train, train_problem = _listed(dataset, spec.split.train, seen, "split.train", "training clips")
    test, test_problem = _listed(test_dataset, spec.eval.split or spec.split.test, candidates, test_path, "test clips")
    problems = [p for p in (train_problem, test_problem) if p]
    if read_clips:
        problems += _read_all(train, "training clips", "split.train")
        problems += _read_all(test, "test clips", "split.test")
    if train:
        problems += _teacher_problems(validated, [s.id for s in train])
    return problems
