"""Question: one kind of question about a clip's motion, asked by a question-answering stage.

Motion QA asks temporal, causal, fine-grained and contrastive questions; a plugin adds
a kind (say, about a dataset's own annotations) by registering a ``Question`` with
``register_questions``, and a stage's ``kinds`` option names it. A kind computes its
answer from the clip (its sequence, its facts), never from the class name, and says
``None`` for a clip it cannot ask about.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from ..tasks import ClipContext, TaskExample
from .base import Component


class Question(Component, ABC):
    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()

    def prepare(self, clips: Iterable[ClipContext]) -> None:
        """Statistics over the seen training clips (e.g. per-class motion profiles); the default needs none."""

    @property
    def needs_preparation(self) -> bool:
        """Whether :meth:`prepare` does anything (so a stage reads the training clips only when needed)."""
        return type(self).prepare is not Question.prepare

    @abstractmethod
    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        """One ``TaskKind.QA`` example about ``clip`` (options, answer, reference sentence, ``meta['qa_kind']``),
        or ``None`` when this clip cannot support the question. ``rng`` is a seeded ``numpy.random.Generator``."""
