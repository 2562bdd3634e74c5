"""Hand-computed cases for the shared pieces: rasteriser, normalisation, colours, body parts, velocity."""

from __future__ import annotations

import math

import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.normalise import MARGIN, normalise, to_pixels
from skeletonllm.topology import Topology
from skeletonllm_renderers.body_parts import edge_parts, joint_parts, part_from_name
from skeletonllm_renderers.colours import direction_hue, hsv_to_rgb
from skeletonllm_renderers.motion import joint_velocity
from skeletonllm_renderers.raster import Primitives, rasterise


def prims(
    segments: list[tuple[float, float, float, float]], radius: float, colours, depth=None, image=None
) -> Primitives:
    n = len(segments)
    seg = torch.tensor(segments, dtype=torch.float32)
    return Primitives(
        image=torch.tensor(image or [0] * n),
        start=seg[:, :2],
        end=seg[:, 2:],
        radius=torch.full((n,), radius),
        colour=torch.tensor(colours, dtype=torch.float32),
        depth=torch.tensor(depth or [0.0] * n),
    )


def test_horizontal_line_covers_exactly_its_rows():
    # y = 16 is the border between rows 15 and 16; radius 2 covers centres 15.5, 16.5 (distance 0.5)
    # and 14.5, 17.5 (distance 1.5) fully, and nothing at distance 2.5 (rows 13 and 18).
    out = rasterise(prims([(8.0, 16.0, 24.0, 16.0)], 2.0, [(1, 0, 0)]), 1, 32, 32, torch.zeros(3))
    red = out[0, 0]
    assert torch.equal(red[:, 16] > 0, torch.isin(torch.arange(32), torch.tensor([14, 15, 16, 17])))
    assert torch.allclose(red[14:18, 16], torch.ones(4))
    assert out[0, 1:].abs().max() == 0, "a pure red line leaked into green or blue"
    # round caps around the end (8, 16): centre (6.5, 16.5) is hypot(1.5, 0.5) = 1.58 away -> coverage 0.92,
    # centre (5.5, 16.5) is 2.55 away -> nothing
    assert red[16, 6].item() == pytest.approx(2.5 - math.hypot(1.5, 0.5), abs=1e-5)
    assert red[16, 5].item() == 0


def test_dot_is_round_and_antialiased():
    out = rasterise(prims([(10.0, 10.0, 10.0, 10.0)], 3.0, [(1, 1, 1)]), 1, 20, 20, torch.zeros(3))[0, 0]
    assert out[9, 9] == 1 and out[9, 10] == 1  # centres at distance ~0.7
    # symmetric about (10, 10)
    assert torch.allclose(out[:, :10], out[:, 10:].flip(1))
    assert torch.allclose(out, out.T)
    edge = out[10, 13].item()  # centre (13.5, 10.5): distance sqrt(3.5^2 + 0.5^2) = 3.54 -> 3.5 - 3.54 < 0
    assert edge == 0
    partial = out[11, 12].item()  # centre (12.5, 11.5): distance 2.92 -> coverage 0.58
    assert partial == pytest.approx(3.5 - math.hypot(2.5, 1.5), abs=1e-5)


def test_nearer_primitive_wins_and_images_are_separate():
    both = prims(
        [(2.0, 8.0, 14.0, 8.0), (8.0, 2.0, 8.0, 14.0), (8.0, 8.0, 8.0, 8.0)],
        1.5,
        [(1, 0, 0), (0, 1, 0), (0, 0, 1)],
        depth=[1.0, 0.0, 0.0],
        image=[0, 0, 1],
    )
    out = rasterise(both, 2, 16, 16, torch.full((3,), 0.5))
    assert torch.allclose(out[0, :, 8, 8], torch.tensor([0.0, 1.0, 0.0]))  # green is nearer
    assert torch.allclose(out[0, :, 8, 3], torch.tensor([1.0, 0.0, 0.0]))
    assert torch.allclose(out[0, :, 0, 0], torch.full((3,), 0.5))  # background
    assert torch.allclose(out[1, :, 8, 8], torch.tensor([0.0, 0.0, 1.0]))
    assert torch.allclose(out[1, :, 8, 3], torch.full((3,), 0.5))  # image 0's line is not in image 1


def test_nothing_to_draw_gives_background_and_off_canvas_is_clipped():
    empty = prims([(0.0, 0.0, 0.0, 0.0)], 1.0, [(1, 1, 1)]).select(torch.tensor([False]))
    assert torch.equal(rasterise(empty, 2, 4, 4, torch.ones(3)), torch.ones(2, 3, 4, 4))
    far = prims([(-100.0, -100.0, 500.0, -100.0), (2.0, 2.0, 2.0, 2.0)], 1.0, [(1, 1, 1), (1, 1, 1)])
    out = rasterise(far, 1, 4, 4, torch.zeros(3))
    assert out[0, 0, 1:3, 1:3].min() > 0 and out[0, 0, 3, 3] < 0.01


def test_normalise_centres_scales_and_ignores_masked_joints():
    topo = Topology("two", ("a", "b"), ((0, 1),), dims=3)
    pos = torch.tensor([[[[[0.0, 0.0, 2.0], [4.0, 2.0, 4.0]]]]])  # (1, 1, 1, 2, 3)
    pos = torch.cat([pos, torch.full_like(pos, float("nan"))], dim=2)  # a second frame, all masked
    mask = torch.tensor([[[[True, True], [False, False]]]])
    clip = normalise(SkeletonBatch(pos, mask, topo))
    # x is negated (Kinect camera space: +x is the camera's left): box x -4..0, y 0..2, z 2..4
    # -> centre (-2, 1, 3), half extent over x, y = 2
    assert torch.allclose(clip.xyz[0, 0, 0], torch.tensor([[1.0, -0.5, -0.5], [-1.0, 0.5, 0.5]]))
    assert torch.equal(clip.xyz[0, 0, 1], torch.zeros(2, 3)) and not clip.is_2d


def test_normalise_flips_2d_image_coordinates():
    topo = Topology("two2d", ("top", "bottom"), ((0, 1),), dims=2)
    pos = torch.tensor([[[[[100.0, 10.0], [100.0, 50.0]]]]])  # image rows grow downwards
    clip = normalise(SkeletonBatch(pos, torch.ones(1, 1, 1, 2, dtype=torch.bool), topo))
    assert clip.is_2d and torch.allclose(clip.xyz[0, 0, 0], torch.tensor([[0.0, 1.0, 0.0], [0.0, -1.0, 0.0]]))
    pix = to_pixels(clip.xyz[0, 0, 0, :, :2], 100, 100)
    assert pix[0, 1] == pytest.approx(50 * MARGIN) and pix[1, 1] == pytest.approx(100 - 50 * MARGIN)


def test_hsv_primaries_and_grey():
    h = torch.tensor([0.0, 1 / 3, 2 / 3, 0.5])
    rgb = hsv_to_rgb(h, torch.tensor([1.0, 1.0, 1.0, 0.0]), torch.tensor([1.0, 1.0, 1.0, 0.4]))
    expected = torch.tensor([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.4, 0.4, 0.4]])
    assert torch.allclose(rgb, expected, atol=1e-6)
    assert direction_hue(torch.tensor(1.0), torch.tensor(0.0)) == 0
    assert direction_hue(torch.tensor(0.0), torch.tensor(1.0)).item() == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("LeftKnee", "left_leg"),
        ("RightWrist", "right_arm"),
        ("LHipJoint", "left_leg"),
        ("lhand", "left_arm"),
        ("rhumerus", "right_arm"),
        ("l_ankle", "left_leg"),
        ("left_shoulder", "left_arm"),
        ("lowerback", "torso"),
        ("lowerneck", "head"),
        ("Head", "head"),
        ("Hips", "torso"),
        ("Chest2", "torso"),
        ("joint_7", "torso"),
        ("HandTipLeft", "left_arm"),
        ("LeftForeArm", "left_arm"),
    ],
)
def test_part_from_joint_name(name: str, part: str):
    assert part_from_name(name) == part


def test_groups_win_over_names_and_bones_take_the_limb():
    topo = Topology(
        "t", ("neck", "left_shoulder", "left_elbow"), ((0, 1), (1, 2)), groups={"torso": (0,), "left_arm": (1, 2)}
    )
    assert joint_parts(topo) == ["torso", "left_arm", "left_arm"]
    assert edge_parts(topo) == ["left_arm", "left_arm"]
    nameless = Topology("n", ("a", "b"), ((0, 1),))
    assert joint_parts(nameless) == ["torso", "torso"]


def test_velocity_central_one_sided_and_missing():
    x = torch.tensor([0.0, 1.0, 3.0, 6.0, 10.0]).view(5, 1, 1).expand(5, 1, 3).clone()  # (F, V, C)
    mask = torch.tensor([True, True, True, False, True]).view(5, 1)
    v = joint_velocity(x, mask, frame_dim=0)[:, 0, 0]
    # frame 0 forward 1; frame 1 central (3-0)/2; frame 2 only backward (3-1); frame 3 missing; frame 4 alone
    assert torch.allclose(v, torch.tensor([1.0, 1.5, 2.0, 0.0, 0.0]))
    assert torch.equal(joint_velocity(x[:1], mask[:1], frame_dim=0), torch.zeros(1, 1, 3))


def dense_reference(p: Primitives, images: int, size: int) -> torch.Tensor:
    """Every pixel against every primitive: the definition the windowed rasteriser must reproduce."""
    centres = torch.stack(torch.meshgrid(torch.arange(size) + 0.5, torch.arange(size) + 0.5, indexing="xy"), -1)
    out = torch.zeros(images, 3, size, size)
    for i in range(images):
        alpha = torch.zeros(size, size)
        best = torch.full((size, size), float("inf"))
        colour = torch.zeros(size, size, 3)
        for k in torch.argsort(p.depth, stable=True).tolist():  # front to back: the first cover wins
            if p.image[k] != i:
                continue
            a, b = p.start[k], p.end[k]
            d = b - a
            t = (((centres - a) * d).sum(-1) / (d * d).sum().clamp_min(1e-12)).clamp(0, 1)
            cov = (p.radius[k] + 0.5 - (centres - (a + t.unsqueeze(-1) * d)).norm(dim=-1)).clamp(0, 1)
            first = (cov > 0) & torch.isinf(best)
            best[first] = p.depth[k]
            colour[first] = p.colour[k]
            alpha = torch.maximum(alpha, cov)
        out[i] = (colour * alpha.unsqueeze(-1)).permute(2, 0, 1)
    return out


def test_windowed_rasteriser_matches_the_dense_definition():
    gen = torch.Generator().manual_seed(7)
    n, size = 40, 28
    start = torch.rand(n, 2, generator=gen) * 32 - 2
    length = torch.rand(n, 1, generator=gen) ** 2 * 30  # many short strokes, some long ones
    angle = torch.rand(n, 1, generator=gen) * 6.3
    end = start + length * torch.cat([angle.cos(), angle.sin()], 1)
    p = Primitives(
        image=torch.randint(0, 2, (n,), generator=gen),
        start=start,
        end=end,
        radius=0.3 + torch.rand(n, generator=gen) * 4,
        colour=torch.rand(n, 3, generator=gen),
        depth=torch.rand(n, generator=gen),
    )
    torch.testing.assert_close(
        rasterise(p, 2, size, size, torch.zeros(3)), dense_reference(p, 2, size), atol=1e-5, rtol=0
    )
