"""The text-only prior of Motion QA: the bar a model must beat, computed without looking at any clip.

For every question text, the prior counts how often each option was the answer over the
training clips, and answers a test question with the option most often right for its text
(ties: the first option shown). A kind whose prior is near 1 has its answer in its wording
and teaches nothing about motion; the project keeps every kind under 0.8
(``tests/training/test_motion_qa.py``, ``tests/training/test_label_questions.py``). The same
rule as ``benchmarks/motion_qa.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from skeletonllm.tasks import TaskExample, normalise


def text_prior(examples: Iterable[TaskExample]) -> dict[str, Counter]:
    """Question text -> how often each (normalised) option was the answer."""
    prior: dict[str, Counter] = defaultdict(Counter)
    for example in examples:
        prior[example.question or ""][normalise(example.answer or "")] += 1
    return prior


def prior_answer(example: TaskExample, prior: dict[str, Counter]) -> str:
    """The option most often right for this question's text over the training clips."""
    counts = prior.get(example.question or "", Counter())
    return max(example.candidates, key=lambda c: counts[normalise(c)])


def prior_hits(prior: dict[str, Counter], examples: Iterable[TaskExample]) -> dict[str, list[bool]]:
    """Per ``meta['qa_kind']``: whether the prior answers each multiple-choice example right."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for example in examples:
        if example.candidates:
            right = normalise(prior_answer(example, prior)) == normalise(example.answer or "")
            hits[str(example.meta.get("qa_kind"))].append(right)
    return dict(hits)


__all__ = ["prior_answer", "prior_hits", "text_prior"]
