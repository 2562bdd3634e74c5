"""Accuracy of parsed ``Label:`` answers, split into seen and unseen classes.

Zero-shot papers report seen accuracy, unseen accuracy and their harmonic
mean (the GZSL "H"); computing all three from the same predictions keeps
them comparable.
"""

from __future__ import annotations

from pydantic import Field

from skeletonllm.interfaces import Metric, PluginOptions
from skeletonllm_hf.answers import parse_label


def _norm(text: str) -> str:
    return text.strip().lower()


class AccuracyOptions(PluginOptions):
    unseen: list[str] = Field(default_factory=list, description="class names counted as unseen")


class AccuracyMetric(Metric):
    name = "accuracy"
    summary = "Top-1 accuracy of parsed Label answers (overall, seen, unseen)"
    Options = AccuracyOptions

    def reset(self) -> None:
        self._hits = {"all": 0, "seen": 0, "unseen": 0}
        self._count = {"all": 0, "seen": 0, "unseen": 0}

    def update(self, predictions: list[str], targets: list[str]) -> None:
        if len(predictions) != len(targets):
            raise ValueError(f"{len(predictions)} predictions for {len(targets)} targets")
        unseen = {_norm(u) for u in self.options.unseen}
        for pred, target in zip(predictions, targets):
            hit = parse_label(pred) == _norm(target)
            group = "unseen" if _norm(target) in unseen else "seen"
            for key in ("all", group):
                self._count[key] += 1
                self._hits[key] += int(hit)

    def compute(self) -> dict[str, float]:
        acc = {k: self._hits[k] / self._count[k] for k in self._count if self._count[k]}
        out = {"accuracy": acc.get("all", 0.0)}
        if self.options.unseen:
            seen, unseen = acc.get("seen", 0.0), acc.get("unseen", 0.0)
            out.update(seen_accuracy=seen, unseen_accuracy=unseen)
            out["harmonic_mean"] = 2 * seen * unseen / (seen + unseen) if seen + unseen else 0.0
        return out
