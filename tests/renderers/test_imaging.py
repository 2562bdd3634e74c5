"""``skeletonllm.imaging``: contact sheets, GIFs, MP4s and their errors."""

from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.imaging import contact_sheet, frames_to_uint8, write_frames


def frames(n: int = 5, size: int = 8) -> torch.Tensor:
    """Frame i is a flat grey of level i / n, so positions in the sheet can be checked."""
    return torch.arange(n, dtype=torch.float32).div(n).view(n, 1, 1, 1).expand(n, 3, size, size).clone()


def test_contact_sheet_places_frames_row_by_row():
    sheet = np.asarray(contact_sheet(frames(5), gap=2, gap_value=7))
    assert sheet.shape == (2 * 8 + 2, 3 * 8 + 2 * 2, 3)  # 5 frames -> 3 columns, 2 rows
    assert sheet[0, 0, 0] == 0 and sheet[0, 10, 0] == round(0.2 * 255) and sheet[10, 10, 0] == round(0.8 * 255)
    assert sheet[10, 20, 0] == 7, "the empty sixth cell should be gap colour"


def test_nan_and_out_of_range_become_valid_pixels():
    x = torch.tensor([float("nan"), -1.0, 2.0]).view(1, 3, 1, 1)
    assert frames_to_uint8(x).tolist() == [[[[0, 0, 255]]]]
    with pytest.raises(SkeletonLLMError, match=r"expected frames of shape \(F, 3, H, W\)"):
        frames_to_uint8(torch.zeros(2, 4, 4))


def test_gif_keeps_distinct_frames(tmp_path: Path):
    path = write_frames(frames(4), tmp_path / "a.gif", fps=5)
    with Image.open(path) as img:
        assert img.n_frames == 4 and img.info["duration"] == 200


def test_unknown_suffix_names_the_known_ones(tmp_path: Path):
    with pytest.raises(SkeletonLLMError, match=r"'\.bmp'.*\.png \(contact sheet\)"):
        write_frames(frames(), tmp_path / "a.bmp")


def test_mp4_without_ffmpeg_suggests_gif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    real_import = builtins.__import__

    def no_ffmpeg(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if name == "imageio_ffmpeg":
            raise ImportError("No module named 'imageio_ffmpeg'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ffmpeg)
    with pytest.raises(SkeletonLLMError, match=r"imageio-ffmpeg.*\.gif instead"):
        write_frames(frames(), tmp_path / "a.mp4")
    assert not (tmp_path / "a.mp4").exists()
