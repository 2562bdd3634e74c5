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
from skeletonllm.checkpoint import load_checkpoint, save_checkpoint
from skeletonllm.cli import cli
from skeletonllm.errors import CheckpointError
from skeletonllm.imaging import write_frames
from skeletonllm.interfaces import Renderer
from skeletonllm.manifest import component_record
from skeletonllm.registry import get_registry
from skeletonllm.rendering import load_renderer_checkpoint, read_batch, render_batch
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
    assert result.exit_code == 1 and "index 3 is out of range: the file holds 1 sequences" in result.output
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

    def forward(self, batch):
        b, _, f = batch.positions.shape[:3]
        size = self.options.size
        return self.gain.clamp(0, 1).view(1, 1, 3, 1, 1).expand(b, f, 3, size, size)


def test_load_renderer_checkpoint_loads_matching_and_refuses_mismatched(tmp_path: Path):
    renderer = TinyLearnable()
    assert load_renderer_checkpoint(renderer, {"renderer.gain": torch.full((3,), 2.0)}, "good") == 1
    assert torch.equal(renderer.gain.data, torch.full((3,), 2.0))
    with pytest.raises(CheckpointError, match="do not fit renderer 'tiny_learnable'"):
        load_renderer_checkpoint(renderer, {"renderer.gain": torch.zeros(4)}, "bad")
    with pytest.raises(CheckpointError, match="no renderer tensors"):
        load_renderer_checkpoint(renderer, {"backbone.x": torch.zeros(1)}, "other")


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
    result = run(ucla_file, "-r", "draction", "--frames", 2, "--size", SIZE, "--no-legend", "-o", out)
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


#: DrAction options far from the defaults: another NFM (other tensors), other sizes and colours.
TRAINED_OPTIONS = {"frames": 3, "size": SIZE, "nfm": "lstm", "feature_dim": 8, "fill": 0.6, "background": [0.2, 0.1, 0]}


def _trained_draction_checkpoint(directory: Path, record_components: bool = True) -> tuple[Path, Renderer]:
    """A DrAction with non-default options and perturbed ('trained') weights, saved as the trainer saves it."""
    renderer = get_registry().create("renderer", "draction", TRAINED_OPTIONS)
    torch.manual_seed(3)
    with torch.no_grad():
        for param in renderer.parameters():
            param.add_(0.3 * torch.randn_like(param))
    manifest = {"renderer": "draction"}
    if record_components:
        manifest["components"] = {"renderer": component_record("draction", renderer.options)}
    return save_checkpoint(directory, renderer.trainable_state(), manifest), renderer.eval()


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def test_checkpoint_with_non_default_renderer_options_renders_identically(ucla_file: Path, tmp_path: Path):
    if "draction" not in get_registry().names("renderer"):
        pytest.skip("draction renderer is not registered in this install")
    ckpt, trained = _trained_draction_checkpoint(tmp_path / "ckpt")
    assert load_checkpoint(ckpt)[1]["components"]["renderer"]["options"]["nfm"] == "lstm"
    expected = write_frames(render_batch(trained, read_batch(ucla_file, 3)), tmp_path / "expected.png", fps=4)
    out = tmp_path / "via_cli.png"
    result = run(ucla_file, "--checkpoint", ckpt, "--no-legend", "-o", out)  # no renderer, frames or size given
    assert result.exit_code == 0, result.output
    assert "(3 frames, 48x48, renderer draction)" in result.output
    assert np.array_equal(_pixels(out), _pixels(expected))
    default = get_registry().create("renderer", "draction", {"frames": 3, "size": SIZE}).eval()
    write_frames(render_batch(default, read_batch(ucla_file, 3)), tmp_path / "default.png", fps=4)
    assert not np.array_equal(_pixels(out), _pixels(tmp_path / "default.png")), "the options must matter"


def test_checkpoint_without_recorded_options_cannot_pass_for_the_trained_renderer(ucla_file: Path, tmp_path: Path):
    if "draction" not in get_registry().names("renderer"):
        pytest.skip("draction renderer is not registered in this install")
    ckpt, _ = _trained_draction_checkpoint(tmp_path / "old", record_components=False)
    result = run(ucla_file, "--checkpoint", ckpt, "-o", tmp_path / "x.png")
    assert "warning: " in result.stderr and "records no renderer options" in result.stderr
    assert result.exit_code == 1 and "do not fit renderer 'draction'" in result.output


def test_checkpoint_names_the_renderer_it_trained(ucla_file: Path, tmp_path: Path):
    if "draction" not in get_registry().names("renderer"):
        pytest.skip("draction renderer is not registered in this install")
    ckpt, _ = _trained_draction_checkpoint(tmp_path / "ckpt")
    result = run(ucla_file, "-r", "stick", "--checkpoint", ckpt, "-o", tmp_path / "x.png")
    assert result.exit_code == 1 and "trained renderer 'draction', not 'stick'" in result.output


def test_renderer_options_from_the_command_line_are_validated_with_close_matches(ucla_file: Path, tmp_path: Path):
    out = tmp_path / "bg.png"
    result = run(ucla_file, "-r", "draction", "-f", 2, "-s", SIZE, "-R", "background=[1,1,1]", "--no-legend", "-o", out)
    assert result.exit_code == 0, result.output
    assert _pixels(out)[0, 0].tolist() == [255, 255, 255], "the corner shows the requested white background"
    result = run(ucla_file, "-r", "draction", "-R", "backgruond=[1,1,1]", "-o", tmp_path / "typo.png")
    assert result.exit_code == 1 and "did you mean 'background'" in result.output
