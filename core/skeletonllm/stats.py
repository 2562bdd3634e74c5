"""Intervals for the figures metrics report: a number without its interval cannot be trusted.

Three kinds, each for the question it answers:

- :func:`wilson_interval`: a proportion of ``k`` hits in ``n`` trials (an accuracy over test
  clips, per class or overall). Wilson's score interval stays inside [0, 1] and keeps a
  width at 0/n and n/n: a 6-clip class at 6/6 is [0.610, 1.000], not the [1.000, 1.000]
  a bootstrap over six identical values gives.
- :func:`bootstrap_interval`: the mean of any per-item values (the percentile bootstrap,
  seeded), for figures that are not proportions.
- :func:`mean_interval`: the mean over whole runs (seeds) with a Student-t interval.

The Wilson bounds and the Student-t quantile come from scipy (a dependency for MATLAB
files): ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`` (Wilson 1927, as
statsmodels' ``proportion_confint(method="wilson")``) and ``scipy.stats.t.ppf``, imported
when first needed so the CLI starts light; ``tests/core/test_stats.py`` checks both against
hand-computed values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: the confidence level of every interval here
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95 % interval, the number of items behind it and how it was made."""

    value: float
    low: float
    high: float
    n: int
    method: str = ""

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"

    def as_dict(self) -> dict[str, float | int | str]:
        return {"value": self.value, "low": self.low, "high": self.high, "n": self.n, "method": self.method}


WILSON = "Wilson score 95 %"
BOOTSTRAP = "percentile bootstrap 95 % (2,000 resamples)"
STUDENT_T = "Student-t 95 % over runs"


def wilson_interval(hits: int, n: int) -> Interval:
    """The proportion ``hits / n`` with Wilson's score interval; ``n == 0`` gives NaN (nothing was measured)."""
    if n < 0 or not 0 <= hits <= n:
        raise ValueError(f"a proportion needs 0 <= hits <= n, got {hits} of {n}")
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, WILSON)
    from scipy.stats import binomtest

    bounds = binomtest(hits, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    # at 0/n and n/n the exact bound is the estimate itself: no rounding below 0 or above 1
    low = 0.0 if hits == 0 else max(0.0, float(bounds.low))
    high = 1.0 if hits == n else min(1.0, float(bounds.high))
    return Interval(hits / n, low, high, n, WILSON)


def proportion(flags: Sequence[bool | float]) -> Interval:
    """Wilson interval of the share of true items in ``flags``."""
    values = [bool(f) for f in flags]
    return wilson_interval(sum(values), len(values))


def bootstrap_interval(
    values: Sequence[float], *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> Interval:
    """Mean of ``values`` with a percentile-bootstrap interval (resampling items with replacement).

    Deterministic for a given ``seed``. With fewer than two items the interval is the value itself;
    for a proportion prefer :func:`wilson_interval`, which keeps a width on small groups.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return Interval(math.nan, math.nan, math.nan, 0, BOOTSTRAP)
    mean = float(data.mean())
    if data.size < 2:
        return Interval(mean, mean, mean, int(data.size), BOOTSTRAP)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Interval(mean, float(low), float(high), int(data.size), BOOTSTRAP)


def mean_interval(values: Sequence[float]) -> Interval:
    """Mean over runs (e.g. seeds) with a 95 % Student-t interval: the spread of whole runs, not of clips."""
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        value = float(data.mean()) if data.size else math.nan
        return Interval(value, value, value, int(data.size), STUDENT_T)
    from scipy.stats import t

    quantile = float(t.ppf(0.5 + LEVEL / 2, int(data.size) - 1))
    half = quantile * float(data.std(ddof=1)) / math.sqrt(data.size)
    mean = float(data.mean())
    return Interval(mean, mean - half, mean + half, int(data.size), STUDENT_T)
