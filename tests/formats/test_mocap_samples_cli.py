"""``skeletonllm info`` and ``skeletonllm render`` on every HDM05, Penn Action and Bandai-Namco sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import shared_data_dir
from skeletonllm.cli import cli

FOLDERS = ("hdm05", "penn_action", "bandai_namco")
SKELETON_SUFFIXES = {".asf", ".amc", ".mat", ".bvh"}
EXPECTED = {".asf": ("asf_amc", 31), ".amc": ("asf_amc", 31), ".mat": ("penn_action", 13), ".bvh": ("bvh", 21)}


def samples() -> list[Path]:
    found = [
        path
        for folder in FOLDERS
        for path in sorted((shared_data_dir() / folder).glob("*"))
        if path.suffix.lower() in SKELETON_SUFFIXES
    ]
    return found or [shared_data_dir() / "hdm05" / "absent.amc"]


@pytest.mark.parametrize("path", samples(), ids=lambda p: p.name)
def test_info_and_render(path: Path, tmp_path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"real sample files not found under {shared_data_dir()} (set SKELETONLLM_SHARED_DATA)")
    runner = CliRunner()
    result = runner.invoke(cli, ["info", "--json", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    fmt, joints = EXPECTED[path.suffix.lower()]
    assert (row["format"], row["joints"]) == (fmt, joints)
    out = tmp_path / f"{path.stem}.png"
    result = runner.invoke(cli, ["render", str(path), "-r", "stick", "-f", "2", "-s", "32", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 0
