"""The thread policy: explicit request, then environment, then a default capped by the free cores."""

from __future__ import annotations

import pytest
import torch

import skeletonllm.threads as threads
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.threads import ENV, choose_threads, default_rule


def test_an_explicit_request_wins_then_the_environment():
    env = {ENV: "3", "OMP_NUM_THREADS": "5"}
    assert choose_threads(2, env).count == 2 and choose_threads(2, env).reason == "--threads"
    assert choose_threads(None, env) == threads.ThreadChoice(3, ENV)
    assert choose_threads(None, {"OMP_NUM_THREADS": "5"}) == threads.ThreadChoice(5, "OMP_NUM_THREADS")
    with pytest.raises(SkeletonLLMError, match=f"{ENV}='many'"):
        choose_threads(None, {ENV: "many"})
    with pytest.raises(SkeletonLLMError, match="OMP_NUM_THREADS='0'"):
        choose_threads(None, {"OMP_NUM_THREADS": "0"})


def test_the_default_never_asks_for_more_threads_than_free_cores():
    assert default_rule(usable=2, free=1.9) == 2  # idle 2-core machine: both cores
    assert default_rule(usable=2, free=1.0) == 1  # one competing process: one thread
    assert default_rule(usable=2, free=-3.5) == 1  # overloaded: still one
    assert default_rule(usable=8, free=60.0) == 8  # a big idle host, 8 cores granted
    assert default_rule(usable=4, free=None) == 4  # no signal: the usable cores


def test_the_rule_reads_affinity_quota_and_torchrun_workers(monkeypatch, tmp_path):
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: set(range(8)))
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: None)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "4")
    assert threads.usable_cores() == 2
    monkeypatch.delenv("LOCAL_WORLD_SIZE")
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: 3.0)
    assert threads.usable_cores() == 3
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("250000 100000\n")
    monkeypatch.undo()
    assert threads._cgroup_quota(cpu_max) == 2.5
    cpu_max.write_text("max 100000\n")
    assert threads._cgroup_quota(cpu_max) is None
    monkeypatch.setattr(threads, "usable_cores", lambda: 3)
    monkeypatch.setattr(threads, "free_cores", lambda: 1.2)
    choice = choose_threads(None, {})
    assert choice.count == 1 and "3 usable cores, 1.2 of" in choice.reason


def test_idle_cores_is_the_idle_share_of_cpu_time(monkeypatch, tmp_path):
    stat = tmp_path / "stat"
    # user nice system idle iowait ...: 100 jiffies pass, 25 of them idle -> a quarter of the cores
    stat.write_text("cpu  1000 0 0 500 0 0 0 0 0 0\n")
    monkeypatch.setattr(threads.time, "sleep", lambda s: stat.write_text("cpu  1075 0 0 525 0 0 0 0 0 0\n"))
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 4)
    assert threads.idle_cores(stat=stat) == pytest.approx(1.0)


def test_the_cli_applies_and_prints_the_thread_count(tmp_path):
    from click.testing import CliRunner

    from skeletonllm.cli import cli

    before = torch.get_num_threads()
    try:
        result = CliRunner().invoke(cli, ["--threads", "3", "evaluate", str(tmp_path / "none.yaml")])
        assert result.stderr.splitlines()[0] == "threads: 3 (--threads)"
        assert torch.get_num_threads() == 3
        result = CliRunner().invoke(cli, ["--threads", "0", "evaluate", str(tmp_path / "none.yaml")])
        assert result.exit_code == 2 and "--threads" in result.stderr
    finally:
        torch.set_num_threads(before)


def test_an_overloaded_machine_is_described_in_words_never_as_a_negative_count(monkeypatch):
    """Issue 23: ``threads: 1 (... -2.0 of 2 cores free)``."""
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads, "free_cores", lambda: -2.0)
    choice = choose_threads(None, {})
    assert choice.count == 1 and "-2" not in choice.describe()
    assert "no core of 2 free: load average 4.0 is above the core count" in choice.reason
    monkeypatch.setattr(threads, "free_cores", lambda: 0.0)
    assert "no core of 2 free;" in choose_threads(None, {}).reason
