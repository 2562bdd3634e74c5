"""Issue 13, full disks: every writer is atomic (complete file or none) and cleans its temp file up."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from skeletonllm.atomic import WriteError, atomic_write
from skeletonllm.cli import cli
from skeletonllm.errors import SkeletonDataError


def disk_full(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def half_then_full(write_name: str):
    """A replacement for ``Path.write_text``/``write_bytes`` that writes half, then fails like a full disk."""

    def write(self: Path, data, *args, **kwargs):  # noqa: ANN001, ANN202
        getattr(Path, f"_orig_{write_name}")(self, data[: len(data) // 2], *args, **kwargs)
        disk_full()

    return write


def test_atomic_write_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_write(target) as tmp:
        assert tmp.parent == tmp.parent and tmp.suffix == ".txt" and tmp != target
        tmp.write_text("new")
        assert target.read_text() == "old"
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_write_keeps_the_old_file_and_no_temp_on_any_error(tmp_path: Path) -> None:
    target = tmp_path / "out.gif"
    target.write_text("old")
    with pytest.raises(WriteError, match=r"out\.gif: cannot write: No space left on device"):
        with atomic_write(target) as tmp:
            tmp.write_text("partial")
            disk_full()
    with pytest.raises(KeyError):
        with atomic_write(target) as tmp:
            tmp.write_text("partial")
            raise KeyError("bug")
    with pytest.raises(WriteError, match="produced no file"):
        with atomic_write(target):
            pass
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.gif"]


def npz_sample(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "clip.npy"
    path.parent.mkdir()
    np.save(path, np.random.default_rng(0).normal(size=(5, 22, 3)).astype(np.float32))
    return path


def test_export_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    source = npz_sample(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(np, "savez_compressed", disk_full)
    result = CliRunner().invoke(cli, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 1 and "No space left on device" in result.output, result.output
    assert "Traceback" not in result.output and str(out / "clip.npz") in result.output
    assert list(out.iterdir()) == []


def test_export_still_writes_a_readable_npz(tmp_path: Path) -> None:
    source = npz_sample(tmp_path)
    result = CliRunner().invoke(cli, ["export", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["clip.npz"]
    with np.load(tmp_path / "out" / "clip.npz") as npz:
        assert npz["positions"].shape == (1, 5, 22, 3)


def test_render_on_a_full_disk_is_one_line_and_leaves_no_empty_gif(tmp_path: Path, monkeypatch) -> None:
    import skeletonllm.imaging as imaging

    source = npz_sample(tmp_path)
    out = tmp_path / "pics"
    out.mkdir()

    def gif_then_full(frames, path, fps=4.0, legend=None):  # noqa: ANN001, ANN202
        Path(path).write_bytes(b"")  # what Pillow leaves when the first write fails
        disk_full()

    monkeypatch.setattr(imaging, "write_gif", gif_then_full)
    result = CliRunner().invoke(
        cli, ["render", str(source), "-r", "stick", "-f", "2", "-s", "16", "-o", str(out / "c.gif")]
    )
    assert result.exit_code == 1 and "No space left on device" in result.output, result.output
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []


def test_format_writers_on_a_full_disk_leave_nothing(tmp_path: Path, monkeypatch) -> None:
    from skeletonllm.io import read_sequences
    from skeletonllm.registry import get_registry

    seq = read_sequences(npz_sample(tmp_path))[0]
    for name in ("write_text", "write_bytes"):
        monkeypatch.setattr(Path, f"_orig_{name}", getattr(Path, name), raising=False)
        monkeypatch.setattr(Path, name, half_then_full(name))
    monkeypatch.setattr(np, "save", disk_full)
    monkeypatch.setattr("pickle.dump", disk_full)
    monkeypatch.setattr(json, "dumps", lambda *a, **k: "x" * 100)
    full: list[str] = []
    for info in get_registry().infos("format"):
        fmt = info.cls()
        if not fmt.can_write:
            continue
        folder = tmp_path / f"w_{info.name}"
        folder.mkdir()
        try:
            fmt.write(seq, folder / f"clip{fmt.suffixes[0] if fmt.suffixes else '.dat'}")
        except WriteError as exc:
            assert "No space left on device" in str(exc)
            full.append(info.name)
        except SkeletonDataError:  # a format that cannot hold 22 joints in 3D says so before writing
            pass
        assert list(folder.iterdir()) == [], info.name
    assert {"bvh", "humanml3d"} <= set(full), full
