"""The Look tab's data: reading any file by content, the info table, the frame window, speeds and masks."""

from __future__ import annotations

import numpy as np
import pytest
from format_fixtures import ntu_text, write
from toy_components import toy_registry

from skeletonllm import SkeletonSequence, Topology
from skeletonllm.batch import segment_indices
from skeletonllm.errors import SkeletonDataError
from skeletonllm.summary import sequence_summary, shown_value
from skeletonllm_app.clip import (
    INFO_COLUMNS,
    Clip,
    frame_window,
    info_rows,
    joint_speeds,
    missing_share,
    read_clip,
    sampled_frames,
)

LINE = Topology("line3", ("a", "b", "c"), ((0, 1), (1, 2)), dims=3)


def _clip(sequence: SkeletonSequence, start: int = 0) -> Clip:
    return Clip("made.npz", sequence, start)


def test_a_file_is_read_by_content_and_tabled_like_the_info_command(tmp_path):
    path = write(tmp_path / "no_suffix", ntu_text([1] * 9, seed=3))
    clip = read_clip(path)
    assert clip.sequence.meta["format"] == "ntu_skeleton"
    (row,) = clip.rows
    assert clip.rows == info_rows("no_suffix", [clip.sequence])
    summary = sequence_summary("no_suffix", clip.sequence)
    assert row == tuple(shown_value(summary[c]) for c in INFO_COLUMNS)  # the cells `skeletonllm info` prints
    assert row[INFO_COLUMNS.index("frames")] == "9"


def test_a_third_party_format_is_sniffed_too(tmp_path):
    path = tmp_path / "clip.dat"  # a suffix no format claims: only the content decides
    path.write_text('{"toy_xy": [1.0, 0.0]}')
    clip = read_clip(path, registry=toy_registry())
    assert clip.sequence.meta["format"] == "toy_format"
    assert clip.sequence.num_joints == 2


def test_the_frame_window_cuts_the_clip_and_the_marks_follow_it(tmp_path):
    path = write(tmp_path / "c.skeleton", ntu_text([1] * 30, seed=4))
    whole = read_clip(path)
    clip = read_clip(path, start=10, end=22)
    assert clip.start == 10 and clip.sequence.num_frames == 12
    np.testing.assert_array_equal(clip.sequence.positions, whole.sequence.positions[:, 10:22])
    marks = sampled_frames(clip, 4)
    np.testing.assert_array_equal(marks, 10 + segment_indices(12, 4, train=False))
    assert marks.min() >= 10 and marks.max() < 22
    assert read_clip(path, end=0).sequence.num_frames == 30  # 0: to the last frame


@pytest.mark.parametrize(("start", "end"), [(30, None), (5, 5), (40, 50)])
def test_an_empty_window_is_a_clear_error(start, end):
    with pytest.raises(SkeletonDataError, match=r"empty frame window .* 30 frames"):
        frame_window(30, start, end, "c.skeleton")


def test_errors_name_the_uploaded_file_not_its_temporary_path(tmp_path):
    upload = tmp_path / "gradio-tmp-3f9a" / "walk.skeleton"
    upload.parent.mkdir()
    upload.write_text("this is not a skeleton\n")
    with pytest.raises(SkeletonDataError) as err:
        read_clip(upload, name="walk.skeleton")
    assert "walk.skeleton" in str(err.value) and str(tmp_path) not in str(err.value)
    # forcing the format (the page's Format menu) shows that reader's own complaint
    with pytest.raises(SkeletonDataError, match="walk.skeleton") as err:
        read_clip(upload, name="walk.skeleton", fmt="ntu_skeleton")
    assert str(tmp_path) not in str(err.value)


@pytest.mark.parametrize("name", ["notes.txt", "notes.skeleton", "notes"])
def test_a_text_file_is_judged_by_its_content_in_the_pages_words(tmp_path, name):
    """Words in a .txt file: no talk of '3 numbers', of the CLI's --format or of the suffix (issue 23)."""
    path = tmp_path / name
    path.write_text("hello world foo\nbar baz\n")
    with pytest.raises(SkeletonDataError) as err:
        read_clip(path, name=name)
    text = str(err.value)
    assert text.startswith(f"{name}: not a recognised skeleton file")
    assert "detects the format by content" in text and "Format menu" in text
    assert "--format" not in text and "suffix" not in text and "numbers" not in text


def test_content_that_hints_at_a_format_gets_that_readers_error_in_the_pages_words(tmp_path):
    """A cut NTU file named .txt: NTU's own error (not PKU-MMD's, which the suffix would pick), pointing to the menu."""
    text = ntu_text([1, 1, 1], seed=5)
    path = write(tmp_path / "cut.txt", text[: len(text) // 2])
    with pytest.raises(SkeletonDataError) as err:
        read_clip(path, name="cut.txt")
    message = str(err.value)
    assert "cut.txt" in message and "pku_mmd" not in message and "--format" not in message
    if "read as" in message:  # the NTU sniffer may still claim a cut file; then its reader speaks
        assert "read as ntu_skeleton, chosen by its content; choose another in the page's Format menu" in message


def test_a_truncated_file_keeps_the_readers_location(tmp_path):
    text = ntu_text([1, 1, 1], seed=5)
    path = write(tmp_path / "cut.skeleton", text[: len(text) // 2])
    with pytest.raises(SkeletonDataError) as err:
        read_clip(path, name="cut.skeleton")
    assert err.value.source == "cut.skeleton"
    assert err.value.line is not None or err.value.frame is not None


def test_a_sequence_index_out_of_range_says_how_many_there_are(tmp_path):
    path = write(tmp_path / "c.skeleton", ntu_text([1] * 3, seed=6))
    with pytest.raises(SkeletonDataError, match="holds 1"):
        read_clip(path, index=2)


def test_speeds_are_per_second_with_a_frame_rate_and_missing_joints_are_nan():
    pos = np.zeros((1, 5, 3, 3), np.float32)
    pos[0, :, 0, 0] = np.arange(5) * 0.5  # joint a moves 0.5 per frame along x
    pos[0, :, 1, 1] = np.arange(5) * 2.0  # joint b moves 2 per frame along y
    mask = np.ones((1, 5, 3), bool)
    mask[0, 2, 1] = False  # joint b missing in frame 2
    speeds, unit = joint_speeds(SkeletonSequence(pos, LINE, fps=10.0, mask=mask))
    assert unit == "units/s" and speeds.shape == (1, 4, 3)
    np.testing.assert_allclose(speeds[0, :, 0], 5.0)
    assert np.isnan(speeds[0, 1, 1]) and np.isnan(speeds[0, 2, 1])  # both steps touching frame 2
    np.testing.assert_allclose(speeds[0, [0, 3], 1], 20.0)
    np.testing.assert_allclose(speeds[0, :, 2], 0.0)
    per_frame, unit = joint_speeds(SkeletonSequence(pos, LINE, fps=None, mask=mask))
    assert unit == "units/frame"
    np.testing.assert_allclose(per_frame[0, :, 0], 0.5)


def test_one_frame_has_no_speed():
    speeds, _ = joint_speeds(SkeletonSequence(np.zeros((1, 1, 3, 3), np.float32), LINE))
    assert speeds.shape == (1, 0, 3)


def test_missing_share_counts_joints_of_present_persons_only():
    pos = np.zeros((2, 4, 3, 3), np.float32)
    mask = np.ones((2, 4, 3), bool)
    mask[1] = False  # the second person never appears: not "missing joints"
    mask[0, 0, 2] = False
    share = missing_share(SkeletonSequence(pos, LINE, mask=mask))
    assert share == pytest.approx(1 / 12)


def test_the_info_table_shows_numbers_as_the_info_command_prints_them():
    """A BVH frame time of 0.0083333 s is fps 120.00048...: the page shows 120, as `skeletonllm info` does."""
    seq = SkeletonSequence(np.zeros((1, 4, 3, 3), np.float32), LINE, fps=120.00048000192001)
    (row,) = info_rows("131_01.bvh", [seq])
    assert row[INFO_COLUMNS.index("fps")] == "120"
    assert row[INFO_COLUMNS.index("duration")] == "0.033"
