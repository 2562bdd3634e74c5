"""Issue 23, training outcomes: a stopped, empty or misplaced run says so instead of exiting 0 or vanishing.

- SIGTERM/SIGINT mid-training used to exit -15 with nothing printed and the lock file left behind;
- every stage at 0 epochs exited 0, printed metrics of the untrained model and named a missing checkpoint;
- an empty test split printed accuracy 0.0 over 0 samples;
- ``output_dir: ~/x`` was checked at the home folder but written to a literal ``./~/x``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_reliability_checkpoint import SPEC, spec_data, toy_cli, write_spec  # noqa: F401
from toy_components import toy_registry
from toy_specs import worker_command, write_toy_spec

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.pipeline import Pipeline
from skeletonllm.runlock import LOCK_NAME
from skeletonllm.spec import validate_spec


def test_sigterm_mid_training_stops_cleanly_releases_the_lock_and_says_so(tmp_path: Path) -> None:
    sig, run = signal.SIGTERM, tmp_path / "run"
    spec = write_toy_spec(
        tmp_path / "spec.yaml", run, stages=[{"name": "refine", "max_steps": 100_000}], optim={"save_every": 2}
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(worker_command(spec), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 60
    while not (run / "last" / "manifest.json").exists():  # a checkpoint exists: training is under way
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    name = signal.Signals(sig).name
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert f"error: training stopped by {name}; the lock is released and the last checkpoint" in err, err
    assert "run the same command to resume" in err and "Traceback" not in err
    assert not (run / LOCK_NAME).exists()


def test_sigint_in_a_step_stops_with_the_lock_released(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skeletonllm.stop_signals import TrainingStopped
    from skeletonllm.training import Trainer

    pipeline = Pipeline(validate_spec(spec_data(tmp_path / "run"), toy_registry()))
    real = Trainer._optimizer_step
    calls = {"n": 0}

    def step(self, *args, **kwargs):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 4:
            os.kill(os.getpid(), signal.SIGINT)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "_optimizer_step", step)
    with pytest.raises(TrainingStopped, match="stopped by SIGINT; the lock is released .* stage 2 .refine. step 1"):
        Trainer(pipeline, show_progress=False).fit()
    assert not (tmp_path / "run" / LOCK_NAME).exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # pytest's handler is back


def test_every_stage_at_zero_epochs_is_an_error_not_a_result(tmp_path: Path, toy_cli) -> None:  # noqa: F811
    stages = [{"name": "warmup", "epochs": 0, "num_choices": 2}, {"name": "refine", "epochs": 0}]
    result = toy_cli("train", write_spec(tmp_path, stages=stages))
    assert result.exit_code == 1 and "nothing was trained: every stage has 0 steps" in result.output, result.output
    assert "accuracy" not in result.output and "checkpoint:" not in result.output


def test_an_empty_test_split_is_an_error_not_accuracy_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = Pipeline(validate_spec(spec_data(tmp_path / "run"), toy_registry()))
    real = type(pipeline.test_dataset).samples
    monkeypatch.setattr(
        type(pipeline.test_dataset),
        "samples",
        lambda self, split, classes=None: iter(()) if split == "test" else real(self, split, classes),
    )
    with pytest.raises(SkeletonLLMError, match="test split 'test' of dataset 'toy_data' has no samples"):
        pipeline.evaluate(show_progress=False)


def test_output_dir_under_home_is_written_where_it_was_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skeletonllm.training import Trainer

    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    pipeline = Pipeline(validate_spec({**SPEC, "output_dir": "~/runs/x"}, toy_registry()))
    Trainer(pipeline, show_progress=False).fit()
    assert (home / "runs" / "x" / "last" / "manifest.json").exists()
    assert not (cwd / "~").exists()
