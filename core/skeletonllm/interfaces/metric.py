"""Metric: accumulates predictions and returns its figures, with everything a reader needs to trust them.

A metric owns its figures: :meth:`Metric.compute` returns one :class:`MetricResult`
holding the values, their intervals and chance levels, its tables, its pictures
and the notes that must be printed beside them (which encoder a BERTScore used, an
evaluator's own held-out accuracy). The report (``skeletonllm.report``) only lays
out what metrics return, so a caveat cannot be lost between a metric and the page.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import SkeletonLLMError
from ..stats import Interval
from ..tasks import Prediction
from .base import Component


@dataclass(frozen=True)
class Table:
    """Rows a report prints as a table under ``title`` (per-class accuracy, example captions)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        bad = [i for i, row in enumerate(self.rows) if len(row) != len(self.columns)]
        if bad:
            raise SkeletonLLMError(f"table {self.title!r}: rows {bad[:5]} do not have {len(self.columns)} cells")


@dataclass(frozen=True)
class Picture:
    """An image a metric draws: ``draw(path)`` writes it (PNG); the report saves it as ``file``."""

    file: str
    title: str
    draw: Callable[[Path], None] = field(compare=False)

    def __post_init__(self) -> None:
        if not self.file or Path(self.file).name != self.file:
            raise SkeletonLLMError(f"picture {self.title!r}: file {self.file!r} must be a plain file name")


@dataclass
class MetricResult:
    """What one metric found: figures by name, and what a reader must see beside them.

    ``values`` are the headline figures (what ``skeletonllm evaluate`` prints as JSON).
    ``intervals`` and ``chance`` are keyed by figure name (a subset of ``values``);
    ``notes`` by figure name, or ``""`` for a note about the metric as a whole. A metric
    with nothing to score returns no values and a note saying why.
    """

    values: dict[str, float] = field(default_factory=dict)
    intervals: dict[str, Interval] = field(default_factory=dict)
    chance: dict[str, float] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in self.values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SkeletonLLMError(f"figure {name!r} is {value!r}, not a number")
            self.values[name] = float(value)
        for part in ("intervals", "chance"):
            stray = sorted(set(getattr(self, part)) - set(self.values))
            if stray:
                raise SkeletonLLMError(f"{part} given for {stray}, which are not among the values")
        files = [p.file for p in self.pictures]
        if len(set(files)) != len(files):
            raise SkeletonLLMError(f"two pictures share a file name: {files}")

    def problems(self) -> list[str]:
        """What makes these figures untrustworthy (non-finite values, intervals that miss their value)."""
        out = [f"{k} = {v} is not finite" for k, v in self.values.items() if not math.isfinite(v)]
        for name, iv in self.intervals.items():
            if not (iv.low <= self.values[name] <= iv.high) or not (math.isfinite(iv.low) and math.isfinite(iv.high)):
                out.append(f"the interval of {name} [{iv.low}, {iv.high}] does not hold its value {self.values[name]}")
        out += [f"chance of {k} = {v} is not in [0, 1]" for k, v in self.chance.items() if not 0 <= v <= 1]
        return out


class Metric(Component, ABC):
    """Scores typed predictions: ``reset``, ``update`` with any number of batches, then ``compute``.

    ``update`` skips predictions of tasks the metric does not score; ``compute`` on nothing to
    score returns a result without values and with a note, or raises ``SkeletonLLMError`` saying
    what was missing, and never divides by zero.

    ``tasks`` says which ``eval.task`` values it scores, so ``skeletonllm validate`` refuses it
    beside another task; ``default_for`` (:class:`Component`) says for which of them it is the
    metric a spec gets when it names none, and must be among ``tasks`` (the conformance kit checks).
    """

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
    def compute(self) -> MetricResult:
        """The figures of every prediction since :meth:`reset`, with their intervals, tables, pictures and notes."""
