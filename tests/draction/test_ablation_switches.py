"""The switches that reproduce the paper's DrAction ablation rows build what they claim."""

from __future__ import annotations

import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm_datasets.synthetic import generate
from skeletonllm_draction import DrActionOptions, DrActionRenderer

SIZE = 32


def _batch() -> SkeletonBatch:
    return SkeletonBatch.from_sequences([generate("hand waving", "kinect_v2", 0, frames=12)], frames=4)


def test_without_nfm_has_no_nfm_parameter_and_renders() -> None:
    renderer = DrActionRenderer(DrActionOptions(size=SIZE, nfm="none"))
    names = [n for n, _ in renderer.named_parameters()]
    assert renderer.nfm is None
    assert not any(n.startswith("nfm.") for n in names), names
    assert any(n.startswith("static.") for n in names)
    batch = _batch()
    batch.positions.requires_grad_()
    images = renderer(batch)
    assert images.shape == (1, 4, 3, SIZE, SIZE) and torch.isfinite(images).all()
    assert images.amax() > 0.2
    images.mean().backward()
    for n, p in renderer.named_parameters():
        assert p.grad is not None, n
    assert batch.positions.grad.abs().sum() > 0
    full = DrActionRenderer(DrActionOptions(size=SIZE))
    assert sum(p.numel() for p in renderer.parameters()) < sum(p.numel() for p in full.parameters())


def test_without_nfm_colour_does_not_change_with_motion() -> None:
    """Static appearance: a Gaussian's colour before the depth map is the same in every frame."""
    torch.manual_seed(0)
    renderer = DrActionRenderer(DrActionOptions(size=SIZE, nfm="none", depth_colour=False)).eval()
    batch = _batch()
    with torch.no_grad():
        features = torch.randn(1, 1, 5, renderer.options.feature_dim)
        colour, opacity = renderer.static(features, 4)
    torch.testing.assert_close(colour, colour[:, :, :1].expand_as(colour))
    torch.testing.assert_close(opacity, opacity[:, :, :1].expand_as(opacity))
    with torch.no_grad():
        assert torch.isfinite(renderer(batch)).all()


@pytest.mark.parametrize("nfm", ["gru", "rnn", "lstm", "mlp"])
def test_temporal_model_switch(nfm: str) -> None:
    renderer = DrActionRenderer(DrActionOptions(size=SIZE, nfm=nfm))
    assert renderer.nfm is not None and renderer.static is None
    assert (renderer.nfm.temporal is None) == (nfm == "mlp")
    with torch.no_grad():
        assert torch.isfinite(renderer(_batch())).all()


def test_without_depth_colour_map() -> None:
    renderer = DrActionRenderer(DrActionOptions(size=SIZE, depth_colour=False))
    assert renderer.colour_blend is None
    assert not any(n.startswith("colour_blend") for n, _ in renderer.named_parameters())
    with torch.no_grad():
        with_map = DrActionRenderer(DrActionOptions(size=SIZE))(_batch())
        without = renderer(_batch())
    assert (with_map - without).abs().amax() > 0.1  # the colour map is what colours an untrained renderer
