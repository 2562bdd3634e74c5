"""Issue 13, the command line: no Python traceback for any input; ``--debug`` shows one on purpose."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import skeletonllm.io as io_module
from skeletonllm.cli import cli


def npy(tmp_path: Path) -> Path:
    path = tmp_path / "clip.npy"
    np.save(path, np.zeros((3, 22, 3), dtype=np.float32))
    return path


def boom(*_args: object, **_kwargs: object) -> None:
    raise ZeroDivisionError("division by zero\nsecond line")


def run(*args: str):
    """Invoke the CLI; an exception escaping it (which a real run would print as a traceback) fails the test."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_unexpected_exception_is_one_line_naming_the_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(io_module, "export_npz", boom)
    result = run("export", str(npy(tmp_path)), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: export failed: ZeroDivisionError: division by zero second line (run with --debug for the traceback)"
    ]


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(io_module, "export_npz", boom)
    result = run("--debug", "export", str(npy(tmp_path)), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "Traceback" in result.output and "ZeroDivisionError" in result.output
    assert "run with --debug" not in result.output


def test_usage_errors_stay_clicks_own(tmp_path: Path) -> None:
    result = run("export")
    assert result.exit_code == 2 and "Missing argument" in result.output and "failed:" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["info", "{tmp}/missing.bvh"],
        ["info", "{tmp}"],
        ["export", "{tmp}/junk.bvh", "-o", "{tmp}/out"],
        ["render", "{tmp}/junk.bvh", "-r", "stick", "-o", "{tmp}/x.gif"],
        ["render", "{tmp}/clip.npy", "-r", "nonexistent", "-o", "{tmp}/x.gif"],
        ["validate", "{tmp}/missing.yaml"],
        ["validate", "{tmp}/junk.bvh"],
        ["evaluate", "{tmp}/junk.bvh"],
        ["info", "--format", "nope", "{tmp}/clip.npy"],
        ["export", "-O", "novalue", "{tmp}/clip.npy", "-o", "{tmp}/out"],
    ],
)
def test_bad_input_never_prints_a_traceback(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "junk.bvh").write_bytes(b"\x00\xff not a bvh")
    npy(tmp_path)
    result = run(*[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert result.output.strip(), "an error must say something"
