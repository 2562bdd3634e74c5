"""Issue 23, batch commands keep going: ``info``, ``export`` and ``render`` over a folder of good and
bad files report each bad file on its own line, finish the good ones, and exit non-zero."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from skeletonllm.cli import cli


@pytest.fixture
def folder(tmp_path) -> tuple[list[str], list[str]]:
    """Good files (HumanML3D ``.npy``) and bad ones (not a skeleton, empty, a folder), interleaved."""
    rng = np.random.default_rng(0)
    good = []
    for name in ("a_walk.npy", "c_jump.npy"):
        np.save(tmp_path / name, rng.normal(size=(6, 22, 3)).astype(np.float32))
        good.append(str(tmp_path / name))
    (tmp_path / "b_notes.txt").write_text("shopping list: eggs\n")
    (tmp_path / "d_empty.npy").write_bytes(b"")
    (tmp_path / "e_folder.npy").mkdir()
    bad = [str(tmp_path / n) for n in ("b_notes.txt", "d_empty.npy", "e_folder.npy")]
    return good, bad


def everything(good: list[str], bad: list[str]) -> list[str]:
    return [good[0], bad[0], bad[1], good[1], bad[2]]


def assert_each_bad_file_named_once(stderr: str, bad: list[str], total: int) -> None:
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    for path in bad:
        assert sum(path in line for line in errors) == 1, (path, stderr)
    assert errors[-1] == f"error: {len(bad)} of {total} files failed (each is named above)"
    assert len(errors) == len(bad) + 1


def test_info_lists_the_good_files_and_names_each_bad_one(folder):
    good, bad = folder
    result = CliRunner().invoke(cli, ["info", *everything(good, bad)])
    assert result.exit_code == 1
    assert all(path in result.stdout for path in good), result.stdout
    assert result.stdout.strip().splitlines()[-1] == "2 sequences in 2 files"
    assert_each_bad_file_named_once(result.stderr, bad, 5)
    rows = json.loads(CliRunner().invoke(cli, ["info", "--json", *everything(good, bad)]).stdout)
    assert [r["path"] for r in rows] == good  # --json stays valid JSON: the errors go to stderr


def test_export_writes_the_good_files_and_names_each_bad_one(folder, tmp_path):
    good, bad = folder
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", *everything(good, bad), "-o", str(out)])
    assert result.exit_code == 1 and "wrote 2 .npz files" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["a_walk.npz", "c_jump.npz"]
    assert_each_bad_file_named_once(result.stderr, bad, 5)


def test_render_draws_the_good_files_and_names_each_bad_one(folder, tmp_path):
    good, bad = folder
    out = tmp_path / "renders"
    args = ["render", *everything(good, bad), "-r", "stick", "-f", "2", "-s", "32"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out / "{stem}.png")])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a_walk.png", "c_jump.png"]
    assert_each_bad_file_named_once(result.stderr, bad, 5)
    one_name = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "x.png")])
    assert one_name.exit_code == 1 and "must contain {stem}" in one_name.stderr
    assert not (tmp_path / "x.png").exists()


def test_one_bad_file_alone_is_still_one_line(folder):
    _good, bad = folder
    result = CliRunner().invoke(cli, ["info", bad[1]])
    assert result.exit_code == 1 and result.stderr.strip() == f"error: {bad[1]}: empty file"
