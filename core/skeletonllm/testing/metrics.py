"""The metric contract: a typed result whatever it is fed, nothing on nothing, batches add up, reset forgets.

A metric is fed predictions of every task kind at once (recognition, captions, Motion-QA-style
questions, open answers), as one evaluation does, and must skip what it does not score. On no
predictions it returns a result without values (a note says why) or raises ``SkeletonLLMError``
naming what was missing; a ``ZeroDivisionError``, a NaN figure or an interval that misses its
value fails the kit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ..errors import SkeletonLLMError
from ..interfaces.metric import MetricResult
from ..registry import get_registry
from ..tasks import EVAL_TASK_KINDS, Prediction, TaskExample, TaskKind, choice_line, label_line
from .cases import KIT_CLASSES, KIT_UNSEEN, clip_context
from .components import KindContract


def kit_predictions() -> list[Prediction]:
    """Right, wrong and unparsable answers to every kind of question, with the clips' sequences in ``meta``."""
    out = []
    for i in range(8):
        label = i % len(KIT_CLASSES)
        clip = clip_context(label, seed=i, frames=12)
        name = KIT_CLASSES[label]
        meta = {"label": label, "class_name": name, "sequence": clip.sequence, "unseen": label == KIT_UNSEEN}
        recognition = TaskExample(TaskKind.MULTIPLE_CHOICE, answer=name, candidates=KIT_CLASSES, meta=meta)
        guess = [label_line(name), label_line(KIT_CLASSES[(label + 1) % 5]), "I cannot tell"][i % 3]
        out.append(Prediction(recognition, guess, clip.sample_id))
        caption = TaskExample(TaskKind.CAPTION, references=clip.references, meta=meta)
        out.append(Prediction(caption, ["a person moves their arms", "someone jumps"][i % 2], clip.sample_id))
        options = ("the arms", "the legs", "the head", "nothing")
        question = TaskExample(
            TaskKind.QA,
            answer=options[i % 4],
            candidates=options,
            question="What moves most?",
            references=(f"{options[i % 4]} move most",),
            meta={"qa_kind": "kit_kind", "sequence": clip.sequence},
        )
        out.append(Prediction(question, choice_line(options[(i // 2) % 4]), clip.sample_id))
        open_question = TaskExample(
            TaskKind.QA, question="What moves most?", references=("the arms move most",), meta={"qa_kind": "kit_kind"}
        )
        out.append(Prediction(open_question, "the arms move", clip.sample_id))
    return out


def _compute(metric: Any) -> MetricResult | SkeletonLLMError:
    try:
        result = metric.compute()
    except SkeletonLLMError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - any other exception is the finding
        raise AssertionError(
            f"metric {metric.name!r}: compute() raised {type(exc).__name__}: {exc}; on input it cannot score "
            "return MetricResult(notes=...) or raise SkeletonLLMError saying what is missing"
        ) from exc
    assert isinstance(result, MetricResult), f"metric {metric.name!r}: compute() returned {type(result).__name__}"
    problems = result.problems()
    assert not problems, f"metric {metric.name!r}: {'; '.join(problems)}"
    return result


def check_metric_on_nothing(make: Callable[[], Any]) -> None:
    """``compute()`` with no predictions at all, and after ``update([])``: a clear refusal or an empty result."""
    for feed in ([], [[]]):
        metric = make()
        for batch in feed:
            metric.update(batch)
        _compute(metric)


def check_metric_result(make: Callable[[], Any], predictions: list[Prediction], folder: Path) -> MetricResult | None:
    """Every kind of prediction at once: a trustworthy result, the same whether fed in one batch or two."""
    whole = make()
    whole.update(predictions)
    result = _compute(whole)
    halves = make()
    middle = len(predictions) // 2
    halves.update(predictions[:middle])
    halves.update(predictions[middle:])
    split = _compute(halves)
    if isinstance(result, SkeletonLLMError):
        assert isinstance(split, SkeletonLLMError), "fed in two batches, the metric scored what it refused in one"
        return None
    assert isinstance(split, MetricResult) and set(split.values) == set(result.values)
    for name, value in result.values.items():
        assert split.values[name] == pytest.approx(value, rel=1e-6, abs=1e-9), f"{name} depends on the batching"
    for picture in result.pictures:
        picture.draw(folder / picture.file)
        assert (folder / picture.file).stat().st_size > 0, f"picture {picture.file} was not drawn"
    return result


def check_metric_reset(make: Callable[[], Any], predictions: list[Prediction]) -> None:
    """After ``reset()`` the metric reports what a fresh one reports."""
    fresh = _compute(make())
    used = make()
    used.update(predictions)
    used.reset()
    again = _compute(used)
    if isinstance(fresh, SkeletonLLMError):
        assert isinstance(again, SkeletonLLMError), "after reset() the metric still scores old predictions"
    else:
        assert isinstance(again, MetricResult) and again.values == fresh.values, "reset() kept old predictions"


class MetricContract(KindContract):
    """Subclass in a test module; set ``plugin``; override :meth:`options` for metrics with required options."""

    kind: ClassVar[str] = "metric"

    def test_no_predictions_is_a_clear_answer_not_a_crash(self, metric_name: str, tmp_path: Path) -> None:
        check_metric_on_nothing(lambda: self.build(metric_name, tmp_path))

    def test_a_mixed_evaluation_gives_a_trustworthy_result(self, metric_name: str, tmp_path: Path) -> None:
        check_metric_result(lambda: self.build(metric_name, tmp_path), kit_predictions(), tmp_path)

    def test_reset_forgets(self, metric_name: str, tmp_path: Path) -> None:
        check_metric_reset(lambda: self.build(metric_name, tmp_path), kit_predictions())

    def test_declared_tasks_are_evaluation_tasks_and_cover_its_defaults(self, metric_name: str) -> None:
        check_metric_tasks(get_registry().get("metric", metric_name))


def check_metric_tasks(cls: Any) -> None:
    """``tasks`` names ``eval.task`` values; ``default_for`` is among them (a metric is the default only
    for a task it scores). An empty ``tasks`` means any task, so every default is allowed."""
    tasks, defaults = tuple(cls.tasks), tuple(cls.default_for)
    unknown = sorted(set(tasks) - set(EVAL_TASK_KINDS))
    assert not unknown, f"metric {cls.name!r}: tasks {unknown} are not evaluation tasks ({', '.join(EVAL_TASK_KINDS)})"
    if tasks:
        stray = sorted(set(defaults) - set(tasks))
        assert not stray, f"metric {cls.name!r} is the default for {stray} but scores only {list(tasks)} (tasks)"
