"""Accuracy of parsed ``Label:`` answers: overall, seen, unseen, per class, the confusion matrix, chance.

Zero-shot papers report seen accuracy, unseen accuracy and their harmonic
mean (the GZSL "H"); computing all of them from the same predictions keeps
them comparable. This is the one place recognition accuracy is computed:
the evaluation report prints what :meth:`AccuracyMetric.compute` returns.
Every accuracy carries a Wilson 95 % interval, which stays honest on small
classes (6/6 is [0.610, 1.000], not a zero-width interval).
"""

from __future__ import annotations

import numpy as np

from skeletonllm.interfaces import Metric, MetricResult, Picture, Table
from skeletonllm.stats import Interval, wilson_interval
from skeletonllm.tasks import Prediction, normalise

from .confusion import UNPARSED, Confusion, plot_confusion


class AccuracyMetric(Metric):
    """Top-1 accuracy of recognition answers; seen/unseen/H when the test set has both.

    Whether a clip's class is unseen is a fact the pipeline records on each
    test example (``meta['unseen']``), so the metric needs no class list of its own.
    """

    name = "accuracy"
    tasks = ("recognition",)
    summary = "Top-1 accuracy of parsed Label answers (overall, seen, unseen, harmonic mean)"
    default_for = ("recognition",)  # the metric of eval.task: recognition when a spec names none

    def reset(self) -> None:
        self._scored: list[Prediction] = []

    def update(self, predictions: list[Prediction]) -> None:
        self._scored += [p for p in predictions if p.example.is_recognition and p.example.answer is not None]

    def compute(self) -> MetricResult:
        scored = self._scored
        if not scored:
            return MetricResult(notes={"": "no recognition answers to score (is eval.task recognition?)"})
        hits = [bool(p.correct) for p in scored]
        groups = [p.example.meta.get("unseen") for p in scored]
        figures = {"accuracy": _proportion(hits)}
        if any(g is not None for g in groups):  # a class split exists: report each group that was tested
            for name, wanted in (("seen_accuracy", False), ("unseen_accuracy", True)):
                chosen = [h for h, g in zip(hits, groups) if bool(g) == wanted]
                if chosen:
                    figures[name] = _proportion(chosen)
        result = MetricResult(
            values={k: iv.value for k, iv in figures.items()},
            intervals=figures,
            notes={"accuracy": "95 % Wilson score intervals over test clips (one question per clip)"},
        )
        chances = [1.0 / len(p.example.candidates) for p in scored if p.example.candidates]
        if chances:
            chance = float(np.mean(chances))
            result.chance = dict.fromkeys(figures, chance)
            result.notes["accuracy"] += f"; chance = 1 / candidates = {chance:.3f}"
        if "seen_accuracy" in figures and "unseen_accuracy" in figures:
            seen, unseen = figures["seen_accuracy"].value, figures["unseen_accuracy"].value
            result.values["harmonic_mean"] = 2 * seen * unseen / (seen + unseen) if seen + unseen else 0.0
            result.notes["harmonic_mean"] = "harmonic mean of seen and unseen accuracy (the GZSL H); no interval"
        confusion = Confusion.of(scored)
        if confusion.unparsed:
            result.notes[""] = f"{confusion.unparsed} of {len(scored)} answers named no label (counted as wrong)"
        result.tables.append(_per_class(scored, hits))
        result.pictures.append(
            Picture(
                "confusion.png",
                "Confusion matrix (rows: true class, columns: parsed answer)",
                lambda path: plot_confusion(confusion, path, figures["accuracy"].value, result.chance.get("accuracy")),
            )
        )
        return result


def _proportion(hits: list[bool]) -> Interval:
    return wilson_interval(sum(hits), len(hits))


def _per_class(scored: list[Prediction], hits: list[bool]) -> Table:
    by_class: dict[str, list[bool]] = {}
    for prediction, hit in zip(scored, hits):
        by_class.setdefault(normalise(prediction.example.answer or ""), []).append(hit)
    rows = []
    for label in sorted(by_class):
        iv = _proportion(by_class[label])
        rows.append((label, f"{iv.value:.3f}", f"[{iv.low:.3f}, {iv.high:.3f}]", iv.n))
    return Table(
        "Per class",
        ("class", "accuracy", "95 % interval", "clips"),
        tuple(rows),
        caption="Wilson score intervals: a small class keeps a wide interval even at 0 % or 100 %.",
    )


__all__ = ["UNPARSED", "AccuracyMetric"]
