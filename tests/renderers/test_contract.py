"""The output contract every registered renderer keeps (DrAction and third-party ones included).

Parametrised over the live registry, as timm's model tests are over
``list_models()``: a renderer registered tomorrow is tested here without a
new line of test code.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from render_cases import TOPOLOGIES, batch_of, moving_positions, occupancy

from skeletonllm.batch import SkeletonBatch
from skeletonllm.registry import get_registry
from skeletonllm.sequence import SkeletonSequence

SIZE = 64
RENDERERS = get_registry().names("renderer")


def make(name: str, frames: int = 4, size: int = SIZE, **options):
    torch.manual_seed(0)
    return get_registry().create("renderer", name, {"frames": frames, "size": size, **options}).eval()


def render(name: str, batch: SkeletonBatch, size: int = SIZE, **options) -> torch.Tensor:
    with torch.no_grad():
        return make(name, batch.num_frames, size, **options)(batch)


def test_every_baseline_is_registered():
    assert {"stick", "projection2d", "velocity3d", "jtm"} <= set(RENDERERS)


@pytest.mark.parametrize("topology", sorted(TOPOLOGIES))
@pytest.mark.parametrize("name", RENDERERS)
def test_output_contract(name: str, topology: str):
    batch = batch_of(TOPOLOGIES[topology], frames=3, persons=2)
    out = render(name, batch)
    assert out.shape == (1, 3, 3, SIZE, SIZE)
    assert out.dtype == torch.float32
    assert out.device == batch.positions.device
    assert torch.isfinite(out).all()
    assert out.min() >= 0 and out.max() <= 1
    assert occupancy(out[0, 1]).sum() > 10, "a visible skeleton drew (almost) nothing"


@pytest.mark.parametrize("name", RENDERERS)
def test_batch_of_two_clips_renders_each_like_alone(name: str):
    topo = TOPOLOGIES["kinect_v2"]
    a, b = batch_of(topo, frames=3, seed=1), batch_of(topo, frames=3, seed=2)
    both = SkeletonBatch(torch.cat([a.positions, b.positions]), torch.cat([a.mask, b.mask]), topo)
    out = render(name, both)
    assert out.shape[0] == 2
    torch.testing.assert_close(out[1], render(name, b)[0], atol=2e-3, rtol=0)


@pytest.mark.parametrize("name", RENDERERS)
def test_one_frame_sequence_renders(name: str):
    batch = batch_of(TOPOLOGIES["smpl22"], frames=1)
    out = render(name, batch)
    assert out.shape == (1, 1, 3, SIZE, SIZE)
    assert torch.isfinite(out).all() and occupancy(out[0, 0]).any()


@pytest.mark.parametrize("name", RENDERERS)
def test_masked_joints_do_not_draw(name: str):
    batch = batch_of(TOPOLOGIES["kinect_v2"], frames=3)
    batch.mask[0, 0, :, 3] = False  # the head, in every frame
    batch.mask[0, 0, 1, 7] = False  # one hand, in one frame
    base = render(name, batch)
    moved = SkeletonBatch(batch.positions.clone(), batch.mask, batch.topology)
    moved.positions[0, 0, :, 3] = 1e4  # far away: would stretch any normalisation that looked at it
    moved.positions[0, 0, 1, 7] = float("nan")
    out = render(name, moved)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, base, atol=1e-4, rtol=0)
    full = render(name, batch_of(TOPOLOGIES["kinect_v2"], frames=3))
    assert not torch.allclose(full, base, atol=1e-3), "masking joints changed nothing: were they drawn at all?"


@pytest.mark.parametrize("name", RENDERERS)
def test_person_absent_from_a_frame_disappears(name: str):
    """Person 2 stands still where person 1 ends up, and is absent from frame k.

    Person 2 then changes no clip-level statistic (its box lies inside person
    1's path, it does not move), so frame k must look like person 1 alone;
    when present in frame k it must add pixels.
    """
    topo, frames, k = TOPOLOGIES["kinect_v2"], 5, 2
    walker = moving_positions(topo, frames, seed=3)
    walker[..., 0] += np.linspace(-1.5, 1.5, frames)[:, None]
    still = np.repeat(walker[-1:], frames, axis=0)
    alone = SkeletonBatch.from_sequences([SkeletonSequence(walker[None], topo)], frames=None)
    pair = SkeletonBatch.from_sequences([SkeletonSequence(np.stack([walker, still]), topo)], frames=None)
    absent = SkeletonBatch(pair.positions.clone(), pair.mask.clone(), topo)
    absent.mask[0, 1, k] = False

    # DrAction's follow camera tracks the group, so a second person moves it by design; its own test
    # (tests/draction/test_framing.py) checks that a person's absence from one frame leaves the camera alone
    opts = {"framing": "fixed"} if name == "draction" else {}
    seen_alone = occupancy(render(name, alone, **opts)[0, k])
    seen_absent = occupancy(render(name, absent, **opts)[0, k])
    seen_pair = occupancy(render(name, pair, **opts)[0, k])
    iou = (seen_alone & seen_absent).sum() / (seen_alone | seen_absent).sum()
    assert iou > 0.9, f"frame {k} without person 2 differs from person 1 alone (IoU {iou:.2f})"
    assert seen_pair.sum() > 1.2 * seen_alone.sum(), "person 2 is not drawn even when present"


@pytest.mark.parametrize("name", RENDERERS)
def test_renders_on_the_batch_device(name: str):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here; the CPU device is checked by test_output_contract")
    batch = batch_of(TOPOLOGIES["coco17"], frames=2).to("cuda")
    renderer = make(name, 2).to("cuda")
    with torch.no_grad():
        out = renderer(batch)
    assert out.device.type == "cuda" and torch.isfinite(out).all()


@pytest.mark.parametrize("name", [n for n in RENDERERS if get_registry().get("renderer", n).learnable])
def test_learnable_renderer_gets_finite_nonzero_gradients(name: str):
    renderer = make(name, 3).train()
    batch = batch_of(TOPOLOGIES["kinect_v2"], frames=3)
    batch.mask[0, 0, 1, 5] = False
    batch.positions.requires_grad_(True)
    out = renderer(batch)
    out.mean().backward()
    grads = [p.grad for p in renderer.parameters() if p.requires_grad]
    assert grads, "a learnable renderer has no trainable parameters"
    assert all(g is None or torch.isfinite(g).all() for g in grads)
    assert any(g is not None and g.abs().sum() > 0 for g in grads)
    assert batch.positions.grad is not None and torch.isfinite(batch.positions.grad).all()


@pytest.mark.parametrize("name", [n for n in RENDERERS if not get_registry().get("renderer", n).learnable])
def test_baselines_declare_no_parameters(name: str):
    assert list(make(name).parameters()) == []
