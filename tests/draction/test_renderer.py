"""DrAction end to end: output contract, gradients, bad input, persons, legibility, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from draction_helpers import LINE, batch_of
from PIL import Image

from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import CheckpointError, SkeletonDataError
from skeletonllm.registry import get_registry
from skeletonllm_datasets.synthetic import generate
from skeletonllm_draction import DrActionOptions, DrActionRenderer
from skeletonllm_formats.topologies import COCO17, KINECT_V2

SIZE = 48


@pytest.fixture(scope="module")
def renderer() -> DrActionRenderer:
    torch.manual_seed(0)
    return DrActionRenderer(DrActionOptions(size=SIZE))


@pytest.fixture(scope="module")
def kinect_batch() -> SkeletonBatch:
    return SkeletonBatch.from_sequences([generate("hand waving", "kinect_v2", 0, frames=20)], frames=4)


def figure_pixels(images: torch.Tensor) -> torch.Tensor:
    """Pixels visibly different from the black background."""
    return images.amax(dim=-3) > 0.1


def test_registry_builds_it_with_options() -> None:
    r = get_registry().create("renderer", "draction", {"size": 32, "nfm": "lstm", "backend": "dense"})
    assert isinstance(r, DrActionRenderer) and r.learnable
    assert r.options.size == 32 and r.options.frames == 12


def test_output_contract_and_any_topology_with_one_renderer(renderer, kinect_batch) -> None:
    out = renderer(kinect_batch)
    assert out.shape == (1, 4, 3, SIZE, SIZE) and out.dtype == torch.float32
    assert out.min() >= 0 and out.max() <= 1
    coco = SkeletonBatch.from_sequences([generate("hand waving", "coco17", 0, frames=20)], frames=4)
    out2 = renderer(coco)  # the same parameters, a different (2D) topology
    assert out2.shape == out.shape and figure_pixels(out2).float().mean() > 0.03
    line = batch_of(np.array([[[[0, 0, 0], [1, 0, 0], [1, 1, 0]]]], np.float32), LINE)
    assert figure_pixels(renderer(line)).any()  # a three-joint skeleton nobody ships


def test_gradients_reach_parameters_and_positions(renderer, kinect_batch) -> None:
    renderer.zero_grad()
    batch = SkeletonBatch(
        positions=kinect_batch.positions.clone().requires_grad_(),
        mask=kinect_batch.mask,
        topology=kinect_batch.topology,
        orientations=kinect_batch.orientations,
    )
    images = renderer(batch)
    target = torch.rand_like(images, generator=None)
    ((images - target) ** 2).mean().backward()
    assert batch.positions.grad is not None and torch.isfinite(batch.positions.grad).all()
    assert batch.positions.grad.abs().sum() > 0
    for name in ("appearance.base", "appearance.embed.weight", "nfm.base_head.weight", "nfm.mlp.0.weight",
                 "nfm.temporal.weight_ih_l0", "colour_blend.logit", "log_scale"):  # fmt: skip
        p = dict(renderer.named_parameters())[name]
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_nan_and_missing_joints_are_masked(renderer) -> None:
    seq = generate("clapping", "kinect_v2", 1, frames=4)
    batch = SkeletonBatch.from_sequences([seq], frames=4)
    pos = batch.positions.clone()
    pos[0, 0, 1, 5] = float("nan")  # a NaN elbow
    pos[0, 0, 2, 7, 0] = float("inf")
    mask = batch.mask.clone()
    mask[0, 0, 3, 11] = False
    pos[0, 0, 3, 11] = 1e6  # garbage under a False mask must not matter
    pos.requires_grad_()
    renderer.zero_grad()
    images = renderer(SkeletonBatch(pos, mask, batch.topology, batch.orientations))
    assert torch.isfinite(images).all()
    images.mean().backward()
    assert torch.isfinite(pos.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in renderer.parameters() if p.grad is not None)
    assert pos.grad[0, 0, 1, 5].abs().sum() == 0


def test_one_frame_renders_and_empty_is_a_clear_error(renderer) -> None:
    one = SkeletonBatch.from_sequences([generate("clapping", "kinect_v2", 1, frames=2).select_frames([0])], frames=None)
    assert renderer(one).shape == (1, 1, 3, SIZE, SIZE)
    assert figure_pixels(renderer(one)).any()
    empty = SkeletonBatch(one.positions, torch.zeros_like(one.mask), one.topology, meta=[{"source": "x.skeleton"}])
    with pytest.raises(SkeletonDataError, match=r"x\.skeleton.*no valid joint"):
        renderer(empty)
    no_frames = SkeletonBatch(one.positions[:, :, :0], one.mask[:, :, :0], one.topology)
    with pytest.raises(SkeletonDataError, match="nothing to render"):
        renderer(no_frames)


def test_absent_person_disappears_and_two_persons_share_the_frame(renderer) -> None:
    seq = generate("handshaking", "kinect_v2", 0, frames=6)
    assert seq.num_persons == 2
    batch = SkeletonBatch.from_sequences([seq], frames=None)
    both = renderer(batch)
    mask = batch.mask.clone()
    mask[0, 1, 3:] = False  # the second person leaves after frame 2
    gone = renderer(SkeletonBatch(batch.positions, mask, batch.topology, batch.orientations))
    solo_mask = batch.mask.clone()
    solo_mask[0, 1] = False
    solo = renderer(SkeletonBatch(batch.positions, solo_mask, batch.topology, batch.orientations))
    both_px, gone_px, solo_px = (figure_pixels(x[0]).flatten(1).sum(1).float() for x in (both, gone, solo))
    # two persons in one frame draw more than one; after the exit only one is drawn. (The solo clip is
    # framed on one person, so it is drawn larger: compare counts, not pictures.)
    assert (both_px > 1.3 * solo_px).all()
    assert (gone_px[3:] < 0.75 * both_px[3:]).all()
    assert (gone_px[:3] > 0.9 * both_px[:3]).all()


def test_untrained_figure_is_legible(tmp_path) -> None:
    torch.manual_seed(0)
    r = DrActionRenderer(DrActionOptions(size=128))
    batch = SkeletonBatch.from_sequences([generate("hands up (both hands)", "kinect_v2", 0, randomize=False)], frames=3)
    with torch.no_grad():
        images = r(batch)[0]
    sheet = (images.permute(2, 0, 3, 1).reshape(128, -1, 3).numpy() * 255).astype(np.uint8)
    path = tmp_path / "draction_untrained.png"
    Image.fromarray(sheet).save(path)
    assert path.stat().st_size > 0
    fig = figure_pixels(images)
    coverage = fig.float().mean().item()
    assert 0.03 < coverage < 0.5, coverage
    ys, xs = torch.nonzero(fig[1], as_tuple=True)
    assert abs(ys.float().mean().item() - 64) < 20 and abs(xs.float().mean().item() - 64) < 20
    # colours come from the depth colour map: the figure is not grey
    colours = images.permute(0, 2, 3, 1)[fig]
    assert (colours.amax(-1) - colours.amin(-1)).mean() > 0.2


def test_checkpoint_roundtrip_with_shared_prefix(renderer) -> None:
    state = renderer.trainable_state()
    assert state and all(k.startswith("renderer.") for k in state)
    other = DrActionRenderer(DrActionOptions(size=SIZE))
    other.load_trainable({**state, "backbone.x": torch.zeros(1)})
    for k, v in other.trainable_state().items():
        torch.testing.assert_close(v, state[k])
    with pytest.raises(CheckpointError, match="missing"):
        DrActionRenderer(DrActionOptions(size=SIZE, nfm="none")).load_trainable(state)


def test_template_cache_is_per_topology(renderer) -> None:
    a = renderer.template(KINECT_V2, torch.device("cpu"))
    assert renderer.template(KINECT_V2, torch.device("cpu")) is a
    assert renderer.template(COCO17, torch.device("cpu")).num_gaussians == 17 + 190


def test_bad_options_are_rejected() -> None:
    with pytest.raises(ValueError, match="scale_min"):
        DrActionOptions(scale_min=0.9, scale_max=0.5)
    with pytest.raises(ValueError):
        DrActionOptions(nfm="transformer")
