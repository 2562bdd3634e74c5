"""Checks across spec sections and against the file system: what would fail later, reported now.

Each section of a spec can be valid on its own and the experiment still
unable to run: a data root that does not exist, ``lr: .inf``, ``batch_size: 1e9`` (which
hangs), an output folder under ``/proc``. Every check here returns
``"yaml.path: what is wrong"`` lines and builds nothing heavy: the dataset is
only asked for its split names, and only once its root is known to exist.

Every function takes a ``ValidatedSpec`` (components known, options typed),
so the list can run after pydantic's own pass, inside ``validate_spec``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .safe_read import regular_file_problem

#: Upper bounds on sizes, by option name at any depth. Far above any real experiment
#: (the paper uses 12 frames, 448 px, batch 4 x 8), far below what exhausts memory or hangs.
SIZE_LIMITS: dict[str, int] = {
    "frames": 10_000,  # a clip's length (e.g. a generated dataset's); rendered frames: RENDERED_FRAMES
    "size": 4096,
    "image_size": 4096,
    "batch_size": 256,  # the tiny preset takes ~1.5 GB at 128 clips of 4 frames; 1024 took 5 GB and failed
    "grad_accum": 1024,
    "max_new_tokens": 8192,
    "max_length": 1_000_000,
    "samples_per_class": 10_000,
    "num_choices": 1000,
    "top_k": 1000,
    "max_steps": 100_000_000,
    "warmup_steps": 100_000_000,
    "save_every": 100_000_000,
    "limit": 100_000_000,
    "epochs": 100_000,
    "seed": 2**32 - 1,  # numpy takes 32-bit seed words (2**32 would draw what 0 draws); torch overflows at 2**64
    "lr": 1,  # AdamW's step is about lr per weight: lr 1e12 gave NaN at step 0 (optim.lr and stages' lr)
    "weight_decay": 10,  # weight_decay 1e30 did too
}
#: frames a renderer draws and a backbone reads per clip: each is an image held in memory
RENDERED_FRAMES = 512
#: numpy and torch refuse negative seeds (numpy with a traceback deep in the trainer)
NON_NEGATIVE = ("seed",)
#: system folders no run may write into
SYSTEM_ROOTS = ("/proc", "/sys", "/dev")
#: option names that hold a local path which must exist (``root`` of datasets, ``path`` of backbones)
PATH_OPTIONS = ("root", "path")


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """``(yaml path, key, value)`` for every leaf of nested models, dicts and lists."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(item, (dict, list, BaseModel)):
                yield from _walk(item, sub)
            else:
                yield sub, str(key), item
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def _sections(validated: Any) -> Iterator[tuple[str, Any]]:
    """Every typed section: optimiser, evaluation and split settings, then each component's options."""
    spec = validated.spec
    yield "optim", spec.optim
    yield "eval", spec.eval.model_dump(exclude={"metrics"})
    yield "split", spec.split
    yield from validated.options.items()


def check_numbers(validated: Any) -> list[str]:
    """Non-finite floats, sizes beyond ``SIZE_LIMITS``, negative seeds, anywhere in the spec."""
    problems = []
    derived = getattr(validated, "derived", {})
    for section, value in _sections(validated):
        for path, key, item in _walk(value, section):
            if isinstance(item, bool) or not isinstance(item, (int, float)) or path in derived:
                continue  # a derived option is checked where it is stated
            if isinstance(item, float) and not math.isfinite(item):
                problems.append(f"{path}: {item} is not a finite number")
            elif key in SIZE_LIMITS and item > _limit(section, key):
                problems.append(f"{path}: {item:g} is far too large (at most {_limit(section, key):,})")
            elif key in NON_NEGATIVE and item < 0:
                problems.append(f"{path}: {item} must be >= 0")
    return problems


def check_decay(validated: Any) -> list[str]:
    """AdamW multiplies every weight by ``1 - lr * weight_decay`` each step: at 1 or more it zeroes or flips them."""
    spec = validated.spec
    decay = spec.optim.weight_decay
    rates = [("optim.lr", spec.optim.lr)]
    rates += [(f"stages[{i}].lr", s.options.get("lr")) for i, s in enumerate(spec.stages) if s.options.get("lr")]
    return [
        f"{path}: {lr:g} x optim.weight_decay {decay:g} is {lr * decay:g}; AdamW would scale every weight by "
        f"{1 - lr * decay:g} each step (keep lr x weight_decay well below 1)"
        for path, lr in rates
        if isinstance(lr, (int, float)) and lr * decay >= 1
    ]


def _limit(section: str, key: str) -> int:
    return RENDERED_FRAMES if key == "frames" and section in ("renderer", "backbone") else SIZE_LIMITS[key]


def _system_folder(path: Path) -> str | None:
    """``/`` or a folder under ``/proc``, ``/sys``, ``/dev``: scanning it never ends (or never should start)."""
    resolved = Path(os.path.abspath(path))
    if resolved == Path("/"):
        return f"{path} is the file system's root; expected a dataset, model or teacher path of your own"
    for root in SYSTEM_ROOTS:
        if resolved == Path(root) or Path(root) in resolved.parents:
            return f"{path} is under {root}, a system folder; expected a dataset, model or teacher path of your own"
    return None


def _path_problem(path: Path) -> str | None:
    system = _system_folder(path)
    if system:
        return system
    if not path.is_dir():  # a file, or a named pipe (would block), a device (/dev/zero never ends), a link loop
        problem = regular_file_problem(path, "a file or folder")
        if problem == "no such file":
            return f"{path} does not exist"
        if problem:
            return f"{path}: {problem}"
        return f"{path} is an empty file" if path.stat().st_size == 0 else None
    try:
        next(path.iterdir())
    except StopIteration:
        return f"{path} is an empty folder"
    except OSError as exc:
        return f"{path} cannot be listed: {exc.strerror or exc}"
    return None


def check_paths(validated: Any) -> list[str]:
    """Every ``root``/``path`` option names something that exists and is not empty."""
    problems = []
    for section, options in validated.options.items():
        for key in PATH_OPTIONS:
            value = getattr(options, key, None)
            if isinstance(value, (str, Path)) and str(value):
                problem = _path_problem(Path(value).expanduser())
                if problem:
                    problems.append(f"{section}.{key}: {problem}")
    return problems


def check_output_dir(validated: Any) -> list[str]:
    """``output_dir`` is (or can become) a writable folder outside the system's virtual file systems."""
    raw = validated.spec.output_dir
    path = Path(raw).expanduser()
    resolved = Path(os.path.abspath(path))
    if any(resolved == Path(root) or Path(root) in resolved.parents for root in SYSTEM_ROOTS):
        return [f"output_dir: {raw} is under {resolved.parts[1] and '/' + resolved.parts[1]}, not a place for runs"]
    if path.exists() and not path.is_dir():
        return [f"output_dir: {raw} is a file, expected a folder (or a path that does not exist yet)"]
    existing = resolved
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return [f"output_dir: {existing} is a file, so {raw} cannot be created"]
    if not os.access(existing, os.W_OK | os.X_OK):
        return [f"output_dir: {existing} is not writable, so {raw} cannot be written"]
    return []


def check_protocol(validated: Any, path_problems: list[str]) -> list[str]:
    """Split names and the class split exist in the dataset; ``candidates: unseen`` has a class split.

    The dataset is built only when its paths are fine (construction is cheap: indexes are lazy)
    and only asked for ``protocols()`` and ``class_splits()``, which are data, not a scan.
    """
    spec = validated.spec
    problems = []
    if spec.eval.candidates == "unseen" and not spec.split.class_split:
        problems.append("eval.candidates: 'unseen' needs split.class_split to name a seen/unseen class split")
    if any(p.startswith("data.") for p in path_problems):
        return problems
    try:
        dataset = validated.build("data")
        protocols = list(dataset.protocols())
        class_splits = dict(dataset.class_splits())
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises, the spec cannot run
        return [*problems, f"data: dataset {spec.data.name!r} cannot list its splits: {type(exc).__name__}: {exc}"]
    name = spec.split.class_split
    if name and name not in class_splits:
        available = ", ".join(sorted(class_splits)) or "none"
        problems.append(
            f"split.class_split: dataset {spec.data.name!r} has no class split {name!r}; available: {available}"
        )
    heads = protocols + list(class_splits)
    for part in ("train", "test"):
        split = getattr(spec.split, part)
        head, sep, tail = split.rpartition("/")
        # Only the documented ``<protocol>/<part>`` grammar is checked: a dataset may accept
        # other names (a plain "train"), and only its samples() knows, which may scan files.
        if heads and (head in heads and tail not in ("train", "test", "val") or sep and head not in heads):
            valid = ", ".join(f"{h}/{p}" for h in heads for p in ("train", "test"))
            problems.append(f"split.{part}: dataset {spec.data.name!r} has no split {split!r}; splits: {valid}")
        elif split in heads:
            problems.append(f"split.{part}: {split!r} names a protocol; add the part, e.g. '{split}/{part}'")
    return problems


def check_eval_protocol(validated: Any, path_problems: list[str]) -> list[str]:
    """``eval.data`` lists its splits, and the split it is tested on (``eval.split``, else ``split.test``) is one.

    As for ``data``: the dataset is built only when its paths are fine and asked for its
    protocol names only (a dataset may read a small index file there, never its clips).
    """
    spec = validated.spec
    if spec.eval.data is None or any(p.startswith("eval.data.") for p in path_problems):
        return []
    try:
        dataset = validated.build("eval.data")
        heads = list(dataset.protocols()) + list(dataset.class_splits())
    except Exception as exc:  # noqa: BLE001 - whatever the plugin raises, the evaluation cannot run
        return [f"eval.data: dataset {spec.eval.data.name!r} cannot list its splits: {type(exc).__name__}: {exc}"]
    split = spec.eval.split or spec.split.test
    head, sep, part = split.rpartition("/")
    where = "eval.split" if spec.eval.split else "eval.split (unset, so split.test)"
    # the grammar check_protocol applies: a plain name ("test") is the dataset's own business
    if heads and sep and (head not in heads or part not in ("train", "test", "val")):
        valid = ", ".join(f"{h}/{p}" for h in heads for p in ("train", "test"))
        return [f"{where}: dataset {spec.eval.data.name!r} has no split {split!r}; splits: {valid}"]
    if split in heads:
        return [f"{where}: {split!r} names a protocol; add the part, e.g. '{split}/test'"]
    return []


def check_dataset_files(validated: Any, path_problems: list[str]) -> list[str]:
    """Each dataset's own cheap check (``Dataset.check``: an index file), when its paths exist."""
    problems = []
    for section in ("data", "eval.data"):
        if section not in validated.names or any(p.startswith(section + ".") for p in path_problems):
            continue
        try:
            found = validated.build(section).check()
        except Exception as exc:  # noqa: BLE001 - a plugin's check must not hide the spec's other problems
            found = [f"{type(exc).__name__}: {exc}"]
        problems += [f"{section}: {line}" for line in found]
    return problems


def spec_problems(validated: Any, check_files: bool = True) -> list[str]:
    """Every check above, in one list (the one call site in ``validate_spec``).

    ``check_files=False`` skips the checks against this machine's file system (data roots,
    model folders, output_dir): for specs written to run elsewhere, such as the examples.
    """
    path_problems = check_paths(validated) if check_files else []
    checks: list[Callable[[Any], list[str]]] = [check_numbers, check_decay]
    if check_files:
        checks.append(check_output_dir)
    problems = [p for check in checks for p in check(validated)] + path_problems
    problems += check_protocol(validated, path_problems) + check_eval_protocol(validated, path_problems)
    return problems + (check_dataset_files(validated, path_problems) if check_files else [])
