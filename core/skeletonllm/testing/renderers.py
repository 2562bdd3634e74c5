"""The renderer contract: shape, range and device of the output, masks honoured, gradients where learnable."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest

from ..registry import get_registry
from .cases import batch_of, kit_topologies, moving_positions, occupancy, rich_topology, sequence, turned_up
from .components import component_names

SIZE = 64


def make(name: str, frames: int = 4, size: int = SIZE, **options: Any) -> Any:
    """The renderer ``name`` in eval mode, seeded so learnable ones start the same every time."""
    import torch

    torch.manual_seed(0)
    return get_registry().create("renderer", name, {"frames": frames, "size": size, **options}).eval()


def render(name: str, batch: Any, size: int = SIZE, **options: Any) -> Any:
    import torch

    with torch.no_grad():
        return make(name, batch.num_frames, size, **options)(batch)


def _rich_topology() -> Any:
    """The installed topology with the most joints (at least 8 are needed by the masking tests)."""
    topology = max(kit_topologies().values(), key=lambda t: t.num_joints)
    if topology.num_joints < 8:
        pytest.skip("no topology with 8 joints is installed")
    return topology


def check_up_axis(renderer: Any, frames: int = 3) -> None:
    """A clip written z-up (or x-up) renders as the same clip written y-up: the renderer honours ``up_axis``.

    A renderer that ignores the topology's up axis draws a z-up clip lying on its back (its
    height along the depth axis) and fails here. ``renderer`` is built and in eval mode.
    """
    import torch

    from ..batch import SkeletonBatch

    upright_clip = sequence(rich_topology(3), frames=frames, seed=4)
    with torch.no_grad():
        reference = renderer(SkeletonBatch.from_sequences([upright_clip], frames=None))
        for axis in ("z", "-x"):
            turned = renderer(SkeletonBatch.from_sequences([turned_up(upright_clip, axis)], frames=None))
            diff = (turned - reference).abs()
            assert float(diff.mean()) < 1e-3 and float(diff.max()) < 0.1, (
                f"renderer {renderer.name!r} draws the clip differently when its file says up is {axis!r} "
                f"(mean pixel difference {float(diff.mean()):.4f}): turn Topology.up_axis to the screen's up, "
                "e.g. with skeletonllm.normalise.viewer_axes"
            )


def check_colour_legend(renderer: Any) -> None:
    """``colour_legend()`` is optional (the base returns None); what it returns is None or a ColourLegend that draws."""
    from ..legend import ColourLegend, legend_strip

    legend = renderer.colour_legend()
    if legend is None:
        return
    assert isinstance(legend, ColourLegend), (
        f"renderer {renderer.name!r}: colour_legend() returned {type(legend).__name__}, not a "
        "skeletonllm.legend.ColourLegend or None"
    )
    strip = legend_strip(legend, 320)
    assert strip.width >= 320 and strip.height > 0, f"renderer {renderer.name!r}: its colour legend draws nothing"


class RendererContract:
    """Subclass in a test module; set ``plugin`` to test only one entry point's renderers."""

    plugin: ClassVar[str | None] = None
    #: renderer name -> options for the person-absence test: a renderer whose camera follows the
    #: performers by design (a second person moves it) is checked there with a fixed camera
    absence_options: ClassVar[dict[str, dict[str, Any]]] = {}

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        names = component_names("renderer", self.plugin)
        if "renderer_name" in metafunc.fixturenames:
            metafunc.parametrize("renderer_name", names)
        if "topology_name" in metafunc.fixturenames:
            metafunc.parametrize("topology_name", list(kit_topologies()))

    def test_output_contract(self, renderer_name: str, topology_name: str) -> None:
        import torch

        batch = batch_of(kit_topologies()[topology_name], frames=3, persons=2)
        out = render(renderer_name, batch)
        assert out.shape == (1, 3, 3, SIZE, SIZE)
        assert out.dtype == torch.float32
        assert out.device == batch.positions.device
        assert torch.isfinite(out).all()
        assert out.min() >= 0 and out.max() <= 1
        assert occupancy(out[0, 1]).sum() > 10, "a visible skeleton drew (almost) nothing"

    def test_batch_of_two_clips_renders_each_like_alone(self, renderer_name: str) -> None:
        import torch

        from ..batch import SkeletonBatch

        topo = _rich_topology()
        a, b = batch_of(topo, frames=3, seed=1), batch_of(topo, frames=3, seed=2)
        both = SkeletonBatch(torch.cat([a.positions, b.positions]), torch.cat([a.mask, b.mask]), topo)
        out = render(renderer_name, both)
        assert out.shape[0] == 2
        torch.testing.assert_close(out[1], render(renderer_name, b)[0], atol=2e-3, rtol=0)

    def test_one_frame_sequence_renders(self, renderer_name: str) -> None:
        import torch

        batch = batch_of(_rich_topology(), frames=1)
        out = render(renderer_name, batch)
        assert out.shape == (1, 1, 3, SIZE, SIZE)
        assert torch.isfinite(out).all() and occupancy(out[0, 0]).any()

    def test_masked_joints_do_not_draw(self, renderer_name: str) -> None:
        import torch

        from ..batch import SkeletonBatch

        topo = _rich_topology()
        batch = batch_of(topo, frames=3)
        batch.mask[0, 0, :, 3] = False  # one joint in every frame
        batch.mask[0, 0, 1, 7] = False  # another in one frame
        base = render(renderer_name, batch)
        moved = SkeletonBatch(batch.positions.clone(), batch.mask, batch.topology)
        moved.positions[0, 0, :, 3] = 1e4  # far away: would stretch any normalisation that looked at it
        moved.positions[0, 0, 1, 7] = float("nan")
        out = render(renderer_name, moved)
        assert torch.isfinite(out).all()
        torch.testing.assert_close(out, base, atol=1e-4, rtol=0)
        full = render(renderer_name, batch_of(topo, frames=3))
        assert not torch.allclose(full, base, atol=1e-3), "masking joints changed nothing: were they drawn at all?"

    def test_person_absent_from_a_frame_disappears(self, renderer_name: str) -> None:
        """Person 2 stands still where person 1 ends up, and is absent from frame k.

        Person 2 then changes no clip-level statistic (its box lies inside person
        1's path, it does not move), so frame k must look like person 1 alone;
        when present in frame k it must add pixels.
        """
        from ..batch import SkeletonBatch
        from ..sequence import SkeletonSequence

        topo, frames, k = _rich_topology(), 5, 2
        walker = moving_positions(topo, frames, seed=3)
        scale = 1.0 if topo.dims == 3 else 200.0  # 2D cases are in pixel-like units
        walker[..., 0] += scale * np.linspace(-1.5, 1.5, frames)[:, None]
        still = np.repeat(walker[-1:], frames, axis=0)
        alone = SkeletonBatch.from_sequences([SkeletonSequence(walker[None], topo)], frames=None)
        pair = SkeletonBatch.from_sequences([SkeletonSequence(np.stack([walker, still]), topo)], frames=None)
        absent = SkeletonBatch(pair.positions.clone(), pair.mask.clone(), topo)
        absent.mask[0, 1, k] = False
        opts = self.absence_options.get(renderer_name, {})
        seen_alone = occupancy(render(renderer_name, alone, **opts)[0, k])
        seen_absent = occupancy(render(renderer_name, absent, **opts)[0, k])
        seen_pair = occupancy(render(renderer_name, pair, **opts)[0, k])
        iou = (seen_alone & seen_absent).sum() / (seen_alone | seen_absent).sum()
        assert iou > 0.9, f"frame {k} without person 2 differs from person 1 alone (IoU {iou:.2f})"
        assert seen_pair.sum() > 1.2 * seen_alone.sum(), "person 2 is not drawn even when present"

    def test_up_axis_is_honoured(self, renderer_name: str) -> None:
        check_up_axis(make(renderer_name, 3))

    def test_colour_legend_is_none_or_a_legend_that_draws(self, renderer_name: str) -> None:
        check_colour_legend(make(renderer_name, 2))

    def test_renders_on_the_batch_device(self, renderer_name: str) -> None:
        import torch

        if not torch.cuda.is_available():
            pytest.skip("no CUDA device here; the CPU device is checked by test_output_contract")
        batch = batch_of(_rich_topology(), frames=2).to("cuda")
        renderer = make(renderer_name, 2).to("cuda")
        with torch.no_grad():
            out = renderer(batch)
        assert out.device.type == "cuda" and torch.isfinite(out).all()

    def test_parameters_match_learnable(self, renderer_name: str) -> None:
        """Learnable: finite, non-zero gradients to its parameters and the positions. Otherwise: no parameters."""
        import torch

        renderer = make(renderer_name, 3)
        if not renderer.learnable:
            assert list(renderer.parameters()) == [], "a non-learnable renderer must not hold parameters"
            return
        renderer.train()
        batch = batch_of(_rich_topology(), frames=3)
        batch.mask[0, 0, 1, 5] = False
        batch.positions.requires_grad_(True)
        renderer(batch).mean().backward()
        grads = [p.grad for p in renderer.parameters() if p.requires_grad]
        assert grads, "a learnable renderer has no trainable parameters"
        assert all(g is None or torch.isfinite(g).all() for g in grads)
        assert any(g is not None and g.abs().sum() > 0 for g in grads)
        assert batch.positions.grad is not None and torch.isfinite(batch.positions.grad).all()

    def test_checkpoint_tensors_round_trip(self, renderer_name: str) -> None:
        """``trainable_state`` -> ``load_trainable`` restores a renderer built with the same options."""
        import torch

        source = make(renderer_name, 2)
        state = source.trainable_state()
        if not state:
            pytest.skip(f"{renderer_name} has no tensors to save")
        target = make(renderer_name, 2)
        with torch.no_grad():
            for param in target.parameters():
                param.add_(1.0)
        assert target.load_trainable(state, "test") == len(state)
        for key, value in target.trainable_state().items():
            torch.testing.assert_close(value, state[key], rtol=0, atol=0)
