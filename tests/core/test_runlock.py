"""One writer per run folder: a live writer's lock refuses a second train, a dead one's is taken over."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
import yaml
from click.testing import CliRunner
from toy_components import toy_registry
from toy_specs import toy_spec_data

import skeletonllm.registry as registry_module
from skeletonllm.cli import cli
from skeletonllm.runlock import LOCK_NAME, RunLock, RunLockedError

HOLDER = """
import sys, time
from skeletonllm.runlock import RunLock
RunLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
def toy_cli(monkeypatch, tmp_path):
    monkeypatch.setattr(registry_module, "_REGISTRY", toy_registry())
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(toy_spec_data(tmp_path / "run")))
    return lambda: CliRunner().invoke(cli, ["train", str(path)])


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_lock_names_its_holder_and_refuses_a_second_writer(tmp_path):
    with RunLock(tmp_path) as first:
        content = json.loads((tmp_path / LOCK_NAME).read_text())
        assert content == first.owner and content["host"] == socket.gethostname()
        with pytest.raises(RunLockedError, match=rf"in use by pid {content['pid']} on {content['host']}, started "):
            RunLock(tmp_path).acquire()
    assert not (tmp_path / LOCK_NAME).exists()  # released on exit


def test_train_into_a_folder_another_process_trains_into_is_refused(tmp_path, toy_cli):
    run = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = toy_cli()
        assert result.exit_code == 1
        assert f"is in use by pid {holder.pid} on {socket.gethostname()}" in result.stderr
        assert not (run / "last").exists()  # nothing was written
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_of_a_dead_process_is_taken_over_with_a_notice(tmp_path, toy_cli):
    run = tmp_path / "run"
    run.mkdir()
    dead = _dead_pid()
    (run / LOCK_NAME).write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "started": time.time()}))
    leftover = run / f".{LOCK_NAME}.new.{socket.gethostname()}.{dead}"  # killed while creating its lock
    leftover.write_text("{}")
    result = toy_cli()
    assert result.exit_code == 0, result.output
    assert f"took over the stale lock {run / LOCK_NAME} of pid {dead}" in result.stderr
    assert sorted(p.name for p in run.iterdir()) == ["eval", "last"]  # lock released, scratch file gone; eval = report


def test_a_lock_from_another_host_is_never_taken_over(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": _dead_pid(), "host": "elsewhere", "started": 0}))
    with pytest.raises(RunLockedError, match="another host: cannot check it is alive.*delete"):
        RunLock(tmp_path).acquire()
    (tmp_path / LOCK_NAME).write_text("not json")
    with pytest.raises(RunLockedError, match="not a lock this program wrote"):
        RunLock(tmp_path).acquire()
