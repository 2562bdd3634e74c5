"""The example third-party package installs with pip and is found through its entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from skeletonllm import SkeletonDataError
from skeletonllm.cli import cli
from skeletonllm.registry import Registry

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "skeletonllm-openpose"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory) -> Path:
    """``pip install`` the example into a private folder (no change to the test environment)."""
    target = tmp_path_factory.mktemp("site")
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    cmd += ["--no-index", "--target", str(target), str(EXAMPLE)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture
def example_on_path(installed_example, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_example))
    monkeypatch.delenv("SKELETONLLM_LOAD_PLUGINS", raising=False)
    yield
    for name in [m for m in sys.modules if m.startswith("skeletonllm_openpose")]:
        del sys.modules[name]


def _frame(tmp_path: Path, people: list[list[float]]) -> Path:
    path = tmp_path / "clip_000000000000_keypoints.json"
    path.write_text(
        json.dumps({"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": p} for p in people]})
    )
    return path


def test_installed_plugin_is_discovered_with_its_distribution(example_on_path, tmp_path):
    reg = Registry()
    info = reg.info("format", "openpose_body25")
    assert info.distribution == "skeletonllm-openpose"
    assert info.entry_point.startswith("openpose = ")
    person = [float(v) for j in range(25) for v in (10 * j, 5 * j, 0.0 if j == 4 else 0.8)]
    (seq,) = reg.create("format", "openpose_body25").read(_frame(tmp_path, [person, person]))
    assert seq.positions.shape == (2, 1, 25, 2)
    assert not seq.mask[0, 0, 4] and seq.mask[0, 0, 5]
    assert np.allclose(seq.positions[1, 0, 3], [30, 15])


def test_cli_reads_the_new_format_by_sniffing(example_on_path, tmp_path, monkeypatch):
    import skeletonllm.registry as registry_module

    monkeypatch.setattr(registry_module, "_REGISTRY", None)
    path = _frame(tmp_path, [[1.0] * 75])
    renamed = path.rename(tmp_path / "renamed.txt")
    result = CliRunner().invoke(cli, ["info", "--json", str(renamed)])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["format"] == "openpose_body25" and row["joints"] == 25 and row["dims"] == 2
    monkeypatch.setattr(registry_module, "_REGISTRY", None)


def test_plugin_reports_bad_files_clearly(example_on_path, tmp_path):
    fmt = Registry().create("format", "openpose_body25")
    with pytest.raises(SkeletonDataError, match="expected 75 numbers"):
        fmt.read(_frame(tmp_path, [[1.0] * 74]))
    with pytest.raises(SkeletonDataError, match="non-numeric"):
        fmt.read(_frame(tmp_path, [["x"] * 75]))


def test_the_plugin_runs_the_contract_kit_on_its_own_components(installed_example, tmp_path):
    """``skeletonllm.testing`` is importable from an installed package's tests: the kit runs there, not only here."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed_example), *sys.path])}
    env.pop("SKELETONLLM_LOAD_PLUGINS", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(EXAMPLE / "pyproject.toml")]
    cmd += ["--rootdir", str(tmp_path), str(EXAMPLE / "tests")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # format 6 (the two round trips skip: it only reads), metric 3, components 2 x 2 (format and metric)
    assert "12 passed, 2 skipped" in done.stdout, done.stdout
