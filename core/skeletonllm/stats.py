"""Intervals for the figures metrics report: a number without its interval cannot be trusted.

Three kinds, each for the question it answers:

- :func:`wilson_interval`: a proportion of ``k`` hits in ``n`` trials (an accuracy over test
  clips, per class or overall). Wilson's score interval stays inside [0, 1] and keeps a
  width at 0/n and n/n: a 6-clip class at 6/6 is [0.610, 1.000], not the [1.000, 1.000]
  a bootstrap over six identical values gives.
- :func:`bootstrap_interval`: the mean of any per-item values (the percentile bootstrap,
  seeded), for figures that are not proportions.
- :func:`mean_interval`: the mean over whole runs (seeds) with a Student-t interval.

No scipy or statsmodels is installed with SkeletonLLM, so the Wilson interval is written
out here (Wilson 1927, as in statsmodels' ``proportion_confint(method="wilson")``) and
checked against hand-computed values in ``tests/core/test_stats.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: the two-sided 95 % normal quantile
Z95 = 1.959963984540054


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


def wilson_interval(hits: int, n: int, z: float = Z95) -> Interval:
    """The proportion ``hits / n`` with Wilson's score interval; ``n == 0`` gives NaN (nothing was measured)."""
    if n < 0 or not 0 <= hits <= n:
        raise ValueError(f"a proportion needs 0 <= hits <= n, got {hits} of {n}")
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, WILSON)
    p = hits / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # at 0/n and n/n the exact bound is the estimate itself; clamping removes rounding below 0 or above 1
    low = 0.0 if hits == 0 else max(0.0, centre - half)
    high = 1.0 if hits == n else min(1.0, centre + half)
    return Interval(p, low, high, n, WILSON)


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


#: two-sided 95 % Student-t quantiles by degrees of freedom (seed counts are small; no scipy needed)
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         15: 2.131, 20: 2.086, 30: 2.042}  # fmt: skip


def _t975(dof: int) -> float:
    """The 97.5 % t quantile for ``dof`` (the next tabulated smaller dof, so never too narrow; 1.96 past 30)."""
    if dof > 30:
        return 1.96
    return _T975[max(k for k in _T975 if k <= dof)]


def mean_interval(values: Sequence[float]) -> Interval:
    """Mean over runs (e.g. seeds) with a 95 % Student-t interval: the spread of whole runs, not of clips."""
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        value = float(data.mean()) if data.size else math.nan
        return Interval(value, value, value, int(data.size), STUDENT_T)
    half = _t975(int(data.size) - 1) * float(data.std(ddof=1)) / math.sqrt(data.size)
    mean = float(data.mean())
    return Interval(mean, mean - half, mean + half, int(data.size), STUDENT_T)
