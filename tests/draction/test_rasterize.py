"""The tiled torch backend against the dense reference (forward and gradients), and gsplat on CUDA."""

from __future__ import annotations

import pytest
import torch
from draction_helpers import random_scene, with_grad

from skeletonllm.errors import SkeletonLLMError
from skeletonllm_draction.camera import PinholeCamera
from skeletonllm_draction.rasterize import make_rasteriser
from skeletonllm_draction.rasterize.base import project
from skeletonllm_draction.rasterize.composite import segment_ids, segmented_inclusive_cumsum

BG = torch.tensor([0.1, 0.2, 0.3])


@pytest.mark.parametrize("tile", [8, 16])
@pytest.mark.parametrize("size", [(64, 48), (32, 32)])
def test_tiles_match_dense_forward_and_gradients(tile: int, size: tuple[int, int]) -> None:
    cam = PinholeCamera(*size)
    scene = random_scene(2, 40, seed=tile + size[0])
    a_in, b_in = with_grad(scene), with_grad(scene)
    a = make_rasteriser("torch", tile_size=tile)(a_in, cam, BG)
    b = make_rasteriser("dense")(b_in, cam, BG)
    assert a.shape == b.shape == (2, 3, size[1], size[0])
    assert (b - BG.reshape(1, 3, 1, 1)).abs().amax() > 0.3  # the scene is really drawn
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)
    weights = torch.rand(a.shape, generator=torch.Generator().manual_seed(1))
    (a * weights).sum().backward()
    (b * weights).sum().backward()
    for name in ("means", "covariances", "colours", "opacities"):
        ga, gb = getattr(a_in, name).grad, getattr(b_in, name).grad
        assert torch.isfinite(ga).all()
        assert gb.abs().amax() > 0, name
        torch.testing.assert_close(ga, gb, atol=2e-4 * float(gb.abs().amax()), rtol=1e-3, msg=name)


def test_saturated_pixels_stop_early_like_gsplat() -> None:
    """Ten near-opaque Gaussians stacked on a pixel: once T would fall to 1e-4 the rest add nothing."""
    cam = PinholeCamera(16, 16)
    n = 10
    means = torch.tensor([0.0, 0.0, 2.0]).repeat(1, n, 1) + torch.arange(n).reshape(1, n, 1) * torch.tensor([0, 0, 0.1])
    cov = torch.eye(3).expand(1, n, 3, 3) * 0.5**2  # ~3.5 px: alpha ~0.98 at the centre pixel
    colours = torch.zeros(1, n, 3)
    colours[0, 2:, 0] = 1.0  # only the hidden ones are red
    scene = random_scene(1, n)
    scene.means, scene.covariances, scene.colours = means, cov, colours
    scene.opacities = torch.full((1, n), 0.999)
    img = make_rasteriser("torch")(scene, cam, torch.zeros(3))
    centre = img[0, :, 8, 8]
    # T: 1 -> ~2e-2 -> ~4e-4 -> (~8e-6 <= 1e-4: stop), so the third and later never count
    assert centre[0] == 0.0
    assert img[0, 0].amax() > 0  # but red shows at the rim, where the front two are faint
    torch.testing.assert_close(img, make_rasteriser("dense")(scene, cam, torch.zeros(3)))


def test_projection_hand_computed() -> None:
    """An isotropic Gaussian on the axis at z=2: centre pixel, sigma^2 = f^2 s^2 / z^2 + 0.3."""
    cam = PinholeCamera(100, 100, 90.0)  # f = 50
    scene = random_scene(1, 1)
    scene.means = torch.tensor([[[0.2, 0.0, 2.0]]])
    scene.covariances = torch.eye(3).reshape(1, 1, 3, 3) * 0.1**2
    scene.opacities = torch.ones(1, 1)
    p = project(scene, cam)
    torch.testing.assert_close(p.means2d, torch.tensor([[[55.0, 50.0]]]))
    # J = [[f/z, 0, -f x/z^2], [0, f/z, 0]] -> var_x = 25*0.01 + 2.5^2*0.01 + 0.3
    var_x = (50 / 2) ** 2 * 0.01 + (50 * 0.2 / 4) ** 2 * 0.01 + 0.3
    var_y = (50 / 2) ** 2 * 0.01 + 0.3
    torch.testing.assert_close(p.conics[0, 0, 0], torch.tensor(1 / var_x), rtol=1e-5, atol=0)
    torch.testing.assert_close(p.conics[0, 0, 2], torch.tensor(1 / var_y), rtol=1e-5, atol=0)
    extend = min(3.33, (2 * torch.log(torch.tensor(255.0))).sqrt().item())
    assert p.radii[0, 0, 0] == int(torch.ceil(torch.tensor(extend * var_x**0.5)))


def test_behind_camera_is_culled() -> None:
    scene = random_scene(1, 3)
    scene.means[0, :, 2] = -1.0
    img = make_rasteriser("torch")(scene, PinholeCamera(32, 32), BG)
    torch.testing.assert_close(img, BG.reshape(1, 3, 1, 1).expand(1, 3, 32, 32))


def test_gsplat_needs_cuda() -> None:
    scene = random_scene(1, 3)
    if torch.cuda.is_available():
        pytest.skip("CUDA present: the agreement test covers gsplat")
    with pytest.raises(SkeletonLLMError, match="backend: torch"):
        make_rasteriser("gsplat")(scene, PinholeCamera(32, 32), BG)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="gsplat's rasteriser needs CUDA")
def test_gsplat_agrees_with_torch_backend() -> None:
    cam = PinholeCamera(96, 64)
    scene = random_scene(3, 60, seed=3)
    cuda_in = with_grad(type(scene)(*(x.cuda() for x in vars(scene).values())))
    cpu_in = with_grad(scene)
    g = make_rasteriser("gsplat")(cuda_in, cam, BG.cuda())
    t = make_rasteriser("torch")(cpu_in, cam, BG)
    torch.testing.assert_close(g.cpu(), t, atol=2e-3, rtol=0)
    weights = torch.rand(t.shape, generator=torch.Generator().manual_seed(2))
    (g * weights.cuda()).sum().backward()
    (t * weights).sum().backward()
    for name in ("means", "colours", "opacities"):
        gg, gt = getattr(cuda_in, name).grad.cpu(), getattr(cpu_in, name).grad
        torch.testing.assert_close(gg, gt, atol=5e-3 * float(gt.abs().amax()), rtol=2e-2, msg=name)


def test_segmented_cumsum_matches_a_loop_across_chunk_borders() -> None:
    """Segments shorter than, equal to and spanning several 32-row chunks, against a plain loop."""
    gen = torch.Generator().manual_seed(0)
    lengths = [1, 5, 32, 70, 3, 31, 33, 100, 2]
    tiles = torch.cat([torch.full((n,), i) for i, n in enumerate(lengths)])
    x = torch.randn(tiles.shape[0], 4, generator=gen)
    seg = segment_ids(tiles)
    expected = torch.zeros_like(x)
    for i in range(x.shape[0]):
        expected[i] = x[i] + (expected[i - 1] if i > 0 and seg[i] == seg[i - 1] else 0)
    torch.testing.assert_close(segmented_inclusive_cumsum(x, seg), expected, atol=1e-5, rtol=1e-5)
    small = torch.tensor([[1.0], [2.0], [3.0]])
    torch.testing.assert_close(
        segmented_inclusive_cumsum(small, torch.tensor([0, 0, 1])), torch.tensor([[1.0], [3], [3]])
    )


def test_compositing_in_image_groups_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Images composited a few at a time (to keep temporaries small) give the same pictures and gradients."""
    import skeletonllm_draction.rasterize.tiles as tiles

    cam = PinholeCamera(64, 48)
    scene = random_scene(5, 40, seed=3)
    whole_in, split_in = with_grad(scene), with_grad(scene)
    whole = make_rasteriser("torch", tile_size=8)(whole_in, cam, BG)
    monkeypatch.setattr(tiles, "ENTRY_BUDGET", 64 * 4 * 40)  # 40 rows: every image alone, some over budget
    rows, _ = tiles.tile_intersections(project(scene, cam), scene.opacities, 8, 6, 8)
    assert rows.numel() > 5 * 40  # so the budget really splits the images into several groups
    split = make_rasteriser("torch", tile_size=8)(split_in, cam, BG)
    torch.testing.assert_close(split, whole, atol=1e-6, rtol=0)
    weights = torch.rand(whole.shape, generator=torch.Generator().manual_seed(2))
    (whole * weights).sum().backward()
    (split * weights).sum().backward()
    for name in ("means", "covariances", "colours", "opacities"):
        got, expected = getattr(split_in, name).grad, getattr(whole_in, name).grad
        # the same sums in another order: float32 rounding only
        torch.testing.assert_close(got, expected, atol=1e-5 * float(expected.abs().amax()), rtol=1e-4, msg=name)


def test_image_groups_cover_every_image_once() -> None:
    from skeletonllm_draction.rasterize.tiles import image_groups

    tiles = torch.tensor([0, 0, 1, 4, 4, 4, 4, 9, 9, 11])  # 3 images of 4 tiles: 3, 4 and 3 rows
    assert image_groups(tiles, 3, 4, max_rows=5) == [(0, 3, 0, 1), (3, 7, 1, 2), (7, 10, 2, 3)]
    assert image_groups(tiles, 3, 4, max_rows=100) == [(0, 10, 0, 3)]
    assert image_groups(tiles, 3, 4, max_rows=1) == [(0, 3, 0, 1), (3, 7, 1, 2), (7, 10, 2, 3)]
