"""Metric: accumulates predictions and reports numbers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from ..tasks import Prediction
from .base import Component


class Metric(Component, ABC):
    #: the ``eval.task`` values whose answers this metric scores; empty: any (validate refuses the others)
    tasks: ClassVar[tuple[str, ...]] = ()

    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()
        self.reset()

    @abstractmethod
    def reset(self) -> None: ...

    @abstractmethod
    def update(self, predictions: list[Prediction]) -> None:
        """Accumulate typed predictions (each carries its example: kind, answer, references)."""

    @abstractmethod
    def compute(self) -> dict[str, float]: ...

    def notes(self) -> dict[str, str]:
        """Caveats a report must print beside this metric's figures, by figure name (default: none).

        E.g. which encoder a BERTScore used, or an evaluator's own held-out accuracy.
        """
        return {}
