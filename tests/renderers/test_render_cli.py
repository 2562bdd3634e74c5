"""``skeletonllm render``: files in, pictures out, one clear line when something is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from render_cases import moving_positions

from conftest import shared_file
from skeletonllm.checkpoint import save_checkpoint
from skeletonllm.cli import cli
from skeletonllm.cli.render_cmd import load_renderer_checkpoint
from skeletonllm.errors import CheckpointError
from skeletonllm.interfaces import Renderer
from skeletonllm.registry import get_registry
from skeletonllm_formats.topologies import KINECT_V1

SIZE = 48


@pytest.fixture()
def ucla_file(tmp_path: Path) -> Path:
    """A NW-UCLA-style JSON clip (Kinect v1, 20 joints) written here, so CI needs no shared data."""
    xyz = moving_positions(KINECT_V1, frames=9, seed=5)
    path = tmp_path / "a01_s01_e00_v01.json"
    path.write_text(json.dumps({"file_name": path.stem, "skeletons": xyz.round(5).tolist(), "label": 1}))
    return path


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["render", *map(str, args)])


def sheet_size(frames: int, size: int = SIZE, gap: int = 2) -> tuple[int, int]:
    cols = int(np.ceil(np.sqrt(frames)))
    rows = int(np.ceil(frames / cols))
    return cols * size + (cols - 1) * gap, rows * size + (rows - 1) * gap


@pytest.mark.parametrize("name", ["stick", "projection2d", "velocity3d", "jtm"])
def test_png_contact_sheet_from_a_generated_file(ucla_file: Path, tmp_path: Path, name: str):
    out = tmp_path / f"{name}.png"
    result = run(ucla_file, "--renderer", name, "--frames", 6, "--size", SIZE, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (6 frames, {SIZE}x{SIZE}, renderer {name})" in result.output
    with Image.open(out) as img:
        assert img.size == sheet_size(6)
        assert np.asarray(img.convert("RGB")).max() > 100, "the contact sheet is blank"


def test_gif_has_one_frame_per_rendered_frame(ucla_file: Path, tmp_path: Path):
    out = tmp_path / "clip.gif"
    result = run(ucla_file, "-r", "stick", "--frames", 5, "--size", SIZE, "-o", out)
    assert result.exit_code == 0, result.output
    with Image.open(out) as img:
        assert img.size == (SIZE, SIZE) and img.n_frames == 5


def test_mp4_is_written_when_ffmpeg_is_there(ucla_file: Path, tmp_path: Path):
    pytest.importorskip("imageio_ffmpeg", reason="imageio-ffmpeg not installed")
    out = tmp_path / "clip.mp4"
    result = run(ucla_file, "-r", "stick", "--frames", 4, "--size", SIZE, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 100


def test_unknown_suffix_is_one_clear_line(ucla_file: Path, tmp_path: Path):
    result = run(ucla_file, "-r", "stick", "-o", tmp_path / "clip.jpg")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "'.jpg'" in lines[0] and ".png" in lines[0] and ".gif" in lines[0]


def test_unknown_renderer_suggests_the_close_name(ucla_file: Path, tmp_path: Path):
    result = run(ucla_file, "-r", "stik", "-o", tmp_path / "clip.png")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'stick'" in lines[0]
    assert not (tmp_path / "clip.png").exists()


def test_bad_index_and_missing_file_are_clear(ucla_file: Path, tmp_path: Path):
    result = run(ucla_file, "-r", "stick", "--index", 3, "-o", tmp_path / "x.png")
    assert result.exit_code == 1 and "--index 3 is out of range: the file holds 1 sequences" in result.output
    result = run(tmp_path / "nope.json", "-r", "stick", "-o", tmp_path / "x.png")
    assert result.exit_code == 1 and "no such file" in result.output


def test_unknown_format_option_is_one_clear_line(ucla_file: Path, tmp_path: Path):
    result = run(ucla_file, "-r", "stick", "-O", "bogus_option=1", "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "bogus_option" in lines[0] and "nw_ucla" in lines[0]


def test_checkpoint_without_renderer_tensors_is_refused(ucla_file: Path, tmp_path: Path):
    ckpt = save_checkpoint(tmp_path / "ckpt", {"backbone.lora.weight": torch.zeros(2)}, {"step": 1})
    result = run(ucla_file, "-r", "stick", "--checkpoint", ckpt, "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    assert "no renderer tensors" in result.output and "backbone" in result.output


class TinyLearnable(Renderer):
    """A learnable renderer of one weight, to check checkpoint loading without DrAction."""

    name = "tiny_learnable"
    learnable = True

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.gain = torch.nn.Parameter(torch.ones(3))


def test_load_renderer_checkpoint_loads_matching_and_refuses_mismatched(tmp_path: Path):
    renderer = TinyLearnable()
    good = save_checkpoint(tmp_path / "good", {"renderer.gain": torch.full((3,), 2.0)}, {})
    assert load_renderer_checkpoint(renderer, good) == 1
    assert torch.equal(renderer.gain.data, torch.full((3,), 2.0))
    bad = save_checkpoint(tmp_path / "bad", {"renderer.gain": torch.zeros(4)}, {})
    with pytest.raises(CheckpointError, match="do not fit renderer 'tiny_learnable'"):
        load_renderer_checkpoint(renderer, bad)
    with pytest.raises(CheckpointError, match="no checkpoint here"):
        load_renderer_checkpoint(renderer, tmp_path / "missing")


@pytest.mark.parametrize("name", ["stick", "jtm"])
def test_real_ntu_file(tmp_path: Path, name: str):
    path = shared_file("ntu_rgbd_skeleton/S001C001P001R001A001.skeleton")
    out = tmp_path / "ntu.png"
    result = run(path, "-r", name, "--frames", 4, "--size", SIZE, "-o", out)
    assert result.exit_code == 0, result.output
    with Image.open(out) as img:
        assert img.size == sheet_size(4)


def test_real_bvh_gif_and_coco_png(tmp_path: Path):
    bvh = shared_file("cmu_mocap_bvh/131_01.bvh")
    out = tmp_path / "bvh.gif"
    result = run(bvh, "-r", "velocity3d", "--frames", 3, "--size", SIZE, "-o", out)
    assert result.exit_code == 0, result.output
    with Image.open(out) as img:
        assert img.n_frames == 3
    coco = shared_file("coco_keypoints/test_coco.json")
    out = tmp_path / "coco.png"
    result = run(coco, "-r", "projection2d", "--frames", 1, "--size", SIZE, "--index", 2, "-o", out)
    assert result.exit_code == 0, result.output
    with Image.open(out) as img:
        assert img.size == (SIZE, SIZE)


def test_draction_renders_through_the_cli_when_registered(ucla_file: Path, tmp_path: Path):
    if "draction" not in get_registry().names("renderer"):
        pytest.skip("draction renderer is not registered in this install")
    out = tmp_path / "draction.png"
    result = run(ucla_file, "-r", "draction", "--frames", 2, "--size", SIZE, "-o", out)
    assert result.exit_code == 0, result.output
    with Image.open(out) as img:
        assert img.size == sheet_size(2)
        assert np.asarray(img.convert("RGB")).max() > 50, "an untrained DrAction should already draw a figure"


def test_draction_checkpoint_round_trip(ucla_file: Path, tmp_path: Path):
    if "draction" not in get_registry().names("renderer"):
        pytest.skip("draction renderer is not registered in this install")
    renderer = get_registry().create("renderer", "draction", {"frames": 2, "size": SIZE})
    tensors = {f"renderer.{k}": v for k, v in renderer.state_dict().items()}
    ckpt = save_checkpoint(tmp_path / "ckpt", tensors, {"renderer": "draction"})
    result = run(
        ucla_file, "-r", "draction", "--frames", 2, "--size", SIZE, "--checkpoint", ckpt, "-o", tmp_path / "d.png"
    )
    assert result.exit_code == 0, result.output
