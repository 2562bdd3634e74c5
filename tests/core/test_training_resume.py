"""Reproducible runs: one spec gives one set of weights, however often the run is killed and resumed.

A run is killed with SIGKILL (no clean-up runs) at random moments: inside an
optimiser step, half-way through writing a checkpoint's tensors, between the
checkpoint's two renames, and at a random time from outside. Resumed after
each, it must end *bitwise* equal to a run that was never interrupted, and
its manifest must hold the uninterrupted run's loss of every step.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from toy_specs import worker_command, write_toy_spec

from skeletonllm.checkpoint import MANIFEST, TENSORS

STEPS = 4 + 30  # the toy spec's two stages
KILLED = -signal.SIGKILL


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1"}


def _run(spec, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(worker_command(spec, *extra), capture_output=True, text=True, env=_env(), timeout=120)


def _kill_at_random_time(spec, rng: np.random.Generator) -> int:
    """Start a worker, SIGKILL it a random time after it has imported everything."""
    proc = subprocess.Popen(worker_command(spec), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    time.sleep(float(rng.uniform(0.2, 1.5)))
    proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


def _result(run_dir):
    return load_file(str(run_dir / "last" / TENSORS)), json.loads((run_dir / "last" / MANIFEST).read_text())


def _assert_same_run(got, expected) -> None:
    (got_tensors, got_manifest), (ref_tensors, ref_manifest) = got, expected
    assert got_tensors.keys() == ref_tensors.keys()
    for key, value in ref_tensors.items():
        assert torch.equal(got_tensors[key], value), key  # bitwise, not approximately
    assert got_manifest["history"] == ref_manifest["history"]  # every step's loss, the true first one included


@pytest.mark.slow
def test_a_run_killed_at_random_moments_resumes_bitwise(tmp_path):
    seed = int.from_bytes(os.urandom(4), "little")
    rng = np.random.default_rng(seed)
    reference_spec = write_toy_spec(tmp_path / "a.yaml", tmp_path / "a")
    done = _run(reference_spec)
    assert done.returncode == 0, done.stderr
    expected = _result(tmp_path / "a")
    assert [len(h["losses"]) for h in expected[1]["history"]] == [4, 30]

    spec = write_toy_spec(tmp_path / "b.yaml", tmp_path / "b")
    # each deterministic death comes early enough that the run has not finished yet
    deaths = [f"step:{rng.integers(2, 9)}", f"save_file:{rng.integers(1, 4)}", f"aside:{rng.integers(1, 4)}"]
    for death in deaths:
        killed = _run(spec, "--die", death)
        assert killed.returncode == KILLED, (seed, death, killed.stderr)
    assert "took over the stale lock" in killed.stderr  # the dead run's lock did not block the resume
    _kill_at_random_time(spec, rng)
    finished = _run(spec)
    assert finished.returncode == 0, (seed, deaths, finished.stderr)
    _assert_same_run(_result(tmp_path / "b"), expected)
    left = {p.name for p in (tmp_path / "b").iterdir()}
    assert "train.lock" not in left  # released by the run that finished
    assert {n for n in left if n.startswith(".last.")} <= {".last.old"}  # no half-written checkpoint left


def test_a_run_crashed_inside_a_checkpoint_write_resumes_bitwise(tmp_path, monkeypatch):
    """The in-process version (fast, not slow-marked): a crash between the checkpoint's renames."""
    from toy_components import toy_registry
    from toy_specs import toy_spec_data

    import skeletonllm.checkpoint as checkpoint
    from skeletonllm.pipeline import Pipeline
    from skeletonllm.spec import validate_spec
    from skeletonllm.training import Trainer

    def train(run_dir):
        spec = validate_spec(toy_spec_data(run_dir), toy_registry())
        return Trainer(Pipeline(spec), show_progress=False).fit()

    train(tmp_path / "a")
    expected = _result(tmp_path / "a")

    real_replace, calls = os.replace, {"n": 0}

    def crashing_replace(src, dst):
        real_replace(src, dst)
        if str(dst).endswith(".old"):
            calls["n"] += 1
            if calls["n"] == 4:  # the 5th checkpoint: stage 2, step 6
                raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint.os, "replace", crashing_replace)
    with pytest.raises(KeyboardInterrupt):
        train(tmp_path / "b")
    monkeypatch.setattr(checkpoint.os, "replace", real_replace)
    assert not (tmp_path / "b" / "last").exists() and (tmp_path / "b" / ".last.old").exists()
    history = train(tmp_path / "b")  # a fresh pipeline: new, untrained components
    _assert_same_run(_result(tmp_path / "b"), expected)
    assert history == expected[1]["history"]
