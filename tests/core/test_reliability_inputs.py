"""Issue 13, inputs: pipes and link loops are refused at once; a hinted format's own error is shown."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from skeletonllm.cli import cli
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import detect_format, read_sequences


def finishes(fn, seconds: float = 20.0) -> BaseException | None:  # noqa: ANN001
    """Run ``fn`` in a daemon thread; the exception it raised, failing the test if it is still blocked."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            fn()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still blocked after {seconds} s"
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this OS")
@pytest.mark.parametrize("fmt", [None, "bvh"])
def test_named_pipe_is_refused_without_blocking(tmp_path: Path, fmt: str | None) -> None:
    pipe = tmp_path / "clip.bvh"
    os.mkfifo(pipe)
    exc = finishes(lambda: read_sequences(pipe, fmt))
    assert isinstance(exc, SkeletonDataError) and "named pipe (FIFO)" in str(exc) and str(pipe) in str(exc)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this OS")
def test_named_pipe_through_the_cli_is_one_line(tmp_path: Path) -> None:
    pipe = tmp_path / "clip.skeleton"
    os.mkfifo(pipe)
    results = []
    assert finishes(lambda: results.append(CliRunner().invoke(cli, ["info", str(pipe)]))) is None
    assert results[0].exit_code == 1 and "named pipe" in results[0].output and "Traceback" not in results[0].output


def test_symlink_loop_is_reported_as_a_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.bvh", tmp_path / "b.bvh"
    os.symlink(b, a)
    os.symlink(a, b)
    with pytest.raises(SkeletonDataError, match="symbolic link loop"):
        read_sequences(a)
    with pytest.raises(SkeletonDataError, match="symbolic link loop"):
        read_sequences(a, "bvh")


def test_broken_symlink_names_its_target(tmp_path: Path) -> None:
    link = tmp_path / "clip.bvh"
    os.symlink(tmp_path / "gone.bvh", link)
    with pytest.raises(SkeletonDataError, match="broken symbolic link to .*gone.bvh"):
        read_sequences(link)


def test_missing_file_is_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(SkeletonDataError, match="no such file"):
        read_sequences(tmp_path / "nothing.bvh")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("clip.bvh", b"hello world\n", r"no MOTION section.*read as bvh, chosen by its suffix \.bvh"),
        ("S001C001P001R001A001.skeleton", b"\x00\x01garbage\xff" * 20, "read as ntu_skeleton"),
        ("ann.pkl", b"not a pickle at all", "read as pyskl_pickle"),
    ],
)
def test_suffix_points_to_one_format_whose_error_is_shown(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SkeletonDataError, match=expected) as info:
        detect_format(path)
    assert "not a recognised skeleton file" not in str(info.value) and str(path) in str(info.value)


def test_shared_suffix_lists_each_candidate_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"nothing": 1}')
    with pytest.raises(SkeletonDataError) as info:
        detect_format(path)
    text = str(info.value)
    assert "as nw_ucla:" in text and "as coco_keypoints:" in text


def test_txt_suffix_lists_every_text_reader_error(tmp_path: Path) -> None:
    """.txt is PKU-MMD's, MSR Action3D's and SBU's suffix: each reader's own complaint is shown."""
    path = tmp_path / "0002-L.txt"
    path.write_bytes(b"1 2 3\n")
    with pytest.raises(SkeletonDataError) as info:
        detect_format(path)
    text = str(info.value)
    assert all(f"as {name}: line 1" in text for name in ("pku_mmd", "msr_action3d", "sbu")), text


def test_no_hint_stays_generic(tmp_path: Path) -> None:
    path = tmp_path / "x.weird"
    path.write_bytes(b"\x07" * 50)
    with pytest.raises(SkeletonDataError, match="not a recognised skeleton file"):
        detect_format(path)
