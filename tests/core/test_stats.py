"""Intervals (scipy's Wilson bounds and t quantiles), checked against hand-computed values."""

from __future__ import annotations

import math

import pytest

from skeletonllm.stats import bootstrap_interval, mean_interval, proportion, wilson_interval


def test_wilson_interval_matches_hand_computed_values():
    # 6/6, z = 1.959964: centre (1 + z^2/12) / (1 + z^2/6) = 0.80484, half 0.19517 -> [0.6097, 1]
    six = wilson_interval(6, 6)
    assert six.value == 1.0 and six.high == 1.0
    assert six.low == pytest.approx(0.6097, abs=1e-4)
    # 1/2: centre 0.5, half z/(1 + z^2/2) * sqrt(1/8 + z^2/16) = 0.4055 -> [0.0945, 0.9055]
    half = wilson_interval(1, 2)
    assert (half.low, half.high) == (pytest.approx(0.0945, abs=1e-4), pytest.approx(0.9055, abs=1e-4))
    # 8/10 (the textbook case, e.g. statsmodels' proportion_confint(8, 10, method="wilson")): [0.4902, 0.9433]
    eight = wilson_interval(8, 10)
    assert (eight.low, eight.high) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))
    none = wilson_interval(0, 6)
    assert none.low == 0.0 and none.high == pytest.approx(1 - 0.6097, abs=1e-4)  # the mirror of 6/6
    assert math.isnan(wilson_interval(0, 0).value) and wilson_interval(0, 0).n == 0
    assert "Wilson" in six.method


def test_a_small_class_at_100_percent_keeps_a_width():
    assert wilson_interval(6, 6).high - wilson_interval(6, 6).low > 0.3
    assert bootstrap_interval([1.0] * 6).low == 1.0  # why a bootstrap is wrong for it: zero width


def test_wilson_narrows_with_more_items_and_refuses_impossible_counts():
    assert wilson_interval(50, 100).high - wilson_interval(50, 100).low < wilson_interval(5, 10).high - 0.2
    assert proportion([True, False, True, True]) == wilson_interval(3, 4)
    with pytest.raises(ValueError, match="0 <= hits <= n"):
        wilson_interval(7, 6)


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_clips():
    small = bootstrap_interval([1, 0] * 10, seed=0)
    large = bootstrap_interval([1, 0] * 200, seed=0)
    assert small.value == large.value == 0.5
    assert small.low < 0.5 < small.high and large.low < 0.5 < large.high
    assert (large.high - large.low) < (small.high - small.low) / 3  # ~ 1/sqrt(20) vs 1/sqrt(400)
    # the normal approximation of a proportion: 1.96 * sqrt(p(1-p)/n) = 0.049 for n = 400
    assert (large.high - large.low) / 2 == pytest.approx(1.96 * math.sqrt(0.25 / 400), abs=0.01)
    assert bootstrap_interval([1, 0, 1], seed=3) == bootstrap_interval([1, 0, 1], seed=3)  # seeded
    assert bootstrap_interval([1.0]).low == 1.0 and math.isnan(bootstrap_interval([]).value)


def test_mean_interval_over_seeds_uses_student_t():
    # three seeds: mean 0.5, sd 0.1, half width t(0.975, 2) * 0.1 / sqrt(3) = 4.303 * 0.05774 = 0.2484
    interval = mean_interval([0.4, 0.5, 0.6])
    assert interval.value == pytest.approx(0.5)
    assert interval.high - interval.value == pytest.approx(0.2484, abs=1e-3)
    assert mean_interval([0.7]).low == 0.7
