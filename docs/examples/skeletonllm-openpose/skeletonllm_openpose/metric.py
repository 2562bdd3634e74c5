"""A metric a third party might add: how often the model's answer names a label at all.

It shows the one thing a metric returns, a ``MetricResult``: the figure, its interval,
and the note the report must print beside it. The report lays out whatever is returned.
"""

from __future__ import annotations

from skeletonllm.interfaces import Metric, MetricResult
from skeletonllm.stats import wilson_interval


class LabelledAnswersMetric(Metric):
    name = "labelled_answers"
    summary = "Share of recognition answers that name a label (parsable or not as a class)"

    def reset(self) -> None:
        self.labelled = 0
        self.answers = 0

    def update(self, predictions) -> None:
        for prediction in predictions:
            if prediction.example.is_recognition:
                self.answers += 1
                self.labelled += prediction.parsed is not None

    def compute(self) -> MetricResult:
        if not self.answers:  # nothing to score: say so, never divide by zero
            return MetricResult(notes={"": "no recognition answers to score"})
        share = wilson_interval(self.labelled, self.answers)
        return MetricResult(
            values={"labelled_answers": share.value},
            intervals={"labelled_answers": share},
            notes={"labelled_answers": "an answer counts when a 'Label:' line names something, right or wrong"},
        )
