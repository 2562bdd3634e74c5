"""The Look tab's pictures: every renderer's GIF of the same frames, and a speed plot that shows gaps as gaps."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from PIL import Image

from skeletonllm import SkeletonSequence, Topology
from skeletonllm.registry import get_registry
from skeletonllm_app.clip import Clip
from skeletonllm_app.pictures import RendererCache, renderer_names, speed_figure


def _axes(fig, label: str):
    (ax,) = [ax for ax in fig.axes if ax.get_label() == label]
    return ax


CHAIN = Topology(
    "chain5", ("j0", "j1", "j2", "j3", "j4"), ((0, 1), (1, 2), (2, 3), (3, 4)), dims=3, parents=(-1, 0, 1, 2, 3)
)


def _clip(frames: int = 20, missing: tuple[int, int] | None = None, start: int = 0) -> Clip:
    t = np.arange(frames, dtype=np.float32)
    pos = np.zeros((1, frames, 5, 3), np.float32)
    pos[0, :, :, 1] = np.arange(5)  # a vertical chain
    pos[0, :, 4, 0] = np.sin(t / 3)  # its tip waves
    mask = np.ones((1, frames, 5), bool)
    if missing is not None:
        mask[0, missing[0], missing[1]] = False
    seq = SkeletonSequence(pos, CHAIN, fps=30.0, mask=mask)
    return Clip("chain.npz", seq, start)


def test_the_declared_default_renderer_comes_first_and_every_renderer_is_listed():
    names = renderer_names()
    assert names[0] == get_registry().default("renderer", "render") == "draction"
    assert {"stick", "jtm"} <= set(names) and names[1:] == sorted(names[1:])


def test_each_renderer_writes_an_animated_gif_and_a_failure_stays_a_caption(tmp_path):
    cache = RendererCache()
    results = cache.render_gifs(_clip(), ["draction", "stick", "no_such_renderer"], 3, 32, tmp_path)
    assert [r.renderer for r in results] == ["draction", "stick", "no_such_renderer"]
    for done in results[:2]:
        assert done.error is None and done.path.exists()
        with Image.open(done.path) as gif:
            assert gif.size == (32, 32)
            assert gif.n_frames > 1  # the tip moves, so frames differ and are not merged
    failed = results[2]
    assert failed.path is None and "unknown renderer 'no_such_renderer'" in failed.caption


def test_renderers_are_built_once_so_a_clip_looks_the_same_twice(tmp_path):
    cache = RendererCache()
    assert cache.get("draction", 2, 16) is cache.get("draction", 2, 16)
    assert cache.get("draction", 2, 16) is not cache.get("draction", 3, 16)
    first = cache.render_gifs(_clip(), ["draction"], 2, 16, tmp_path / "a")[0].path
    second = cache.render_gifs(_clip(), ["draction"], 2, 16, tmp_path / "b")[0].path
    assert first.read_bytes() == second.read_bytes()


def test_the_speed_plot_marks_the_rendered_frames_in_file_frame_numbers():
    clip = _clip(frames=20, start=100)
    fig = speed_figure(clip, 4)
    heat, line = _axes(fig, "heat map 1"), _axes(fig, "mean speed")
    marks = sorted(round(x - 0.5) for x in (ln.get_xdata()[0] for ln in line.get_lines() if ln.get_linestyle() == "--"))
    assert marks == [102, 107, 112, 117]  # centres of four 5-frame segments, offset by the window start
    assert line.get_xlim() == (100, 120)
    assert heat.images[0].get_array().shape == (5, 19)
    assert not np.ma.getmaskarray(heat.images[0].get_array()).any()


def test_a_missing_joint_is_masked_in_the_heat_map_and_hatched_on_the_timeline():
    clip = _clip(frames=20, missing=(7, 4))
    fig = speed_figure(clip, 4)
    data = _axes(fig, "heat map 1").images[0].get_array()
    masked = np.argwhere(np.ma.getmaskarray(data))
    assert masked.tolist() == [[4, 6], [4, 7]]  # joint 4, the two steps touching frame 7
    line_ax = _axes(fig, "mean speed")
    assert any("missing joints" in t.get_text() for t in line_ax.texts)
    (band,) = line_ax.collections  # the hatched band covers exactly frame 7
    (path,) = band.get_paths()
    assert path.vertices[:, 0].min() == 7 and path.vertices[:, 0].max() == 8
    clean = _axes(speed_figure(_clip(frames=20), 4), "mean speed")
    assert not clean.collections and not clean.texts


def test_a_one_frame_clip_still_plots():
    fig = speed_figure(_clip(frames=1), 12)
    assert any("no speed" in t.get_text() for ax in fig.axes for t in ax.texts)
    assert all(isinstance(ln, Line2D) for ln in _axes(fig, "mean speed").get_lines())


def test_one_options_box_serves_every_renderer(tmp_path):
    from skeletonllm_app.pictures import accepted_options, unused_options

    options = {"fill": 0.4, "bogus": 1, "frames": 99}
    assert accepted_options("draction", options) == {"fill": 0.4}  # frames/size come from their own controls
    assert accepted_options("stick", options) == {}
    assert unused_options(["draction", "stick"], options) == ["bogus", "frames"]
    cache = RendererCache()
    plain, tight, bad = (
        cache.render_gifs(_clip(), ["draction"], 2, 32, tmp_path / str(i), options=o)[0]
        for i, o in enumerate([None, {"fill": 0.4}, {"fill": 5}])
    )
    assert plain.path.read_bytes() != tight.path.read_bytes()  # a smaller figure in the same frame
    assert bad.path is None and "fill" in bad.error


def test_the_model_view_is_enlarged_pixel_for_pixel_with_the_colour_key(tmp_path):
    import torch

    from skeletonllm.legend import MIN_WIDTH, ColourLegend
    from skeletonllm_app.pictures import MODEL_VIEW_SIDE, model_view

    frames = torch.rand(2, 3, 56, 56)
    plain = Image.open(model_view(frames, tmp_path / "plain.png"))
    factor = -(-MODEL_VIEW_SIDE // 56)
    assert plain.size == ((2 * 56 + 2) * factor, 56 * factor)
    pixels = np.asarray(plain)
    block = pixels[:factor, :factor].reshape(-1, 3)
    assert (block == block[0]).all()  # nearest neighbour: each model pixel is a solid block, not a blur
    key = ColourLegend("colour = depth", ((0.0, 0.0, 0.5), (0.5, 0.0, 0.0)), "near", "far")
    keyed = Image.open(model_view(frames, tmp_path / "keyed.png", key))
    assert keyed.width == max(plain.width, MIN_WIDTH) and keyed.height > plain.height
    big = Image.open(model_view(torch.rand(1, 3, 448, 448), tmp_path / "big.png"))
    assert big.size == (448, 448)  # already readable: left alone


def test_every_joint_of_a_31_joint_mocap_skeleton_is_named_on_the_speed_map():
    names = tuple(f"Joint{i}" for i in range(31))
    names = ("Hips", "LHipJoint", "LeftHip", *names[3:])
    topo = Topology("bvh31", names, tuple((i, i + 1) for i in range(30)), dims=3, parents=(-1, *range(30)))
    pos = np.random.default_rng(0).normal(size=(1, 12, 31, 3)).astype(np.float32)
    seq = SkeletonSequence(pos, topo, fps=120.0)
    fig = speed_figure(Clip("131_01.bvh", seq), 4)
    labels = [t.get_text() for t in _axes(fig, "heat map 1").get_yticklabels()]
    assert labels == list(names)


def test_draction_gifs_come_with_the_key_to_their_colours(tmp_path):
    results = RendererCache().render_gifs(_clip(), ["draction", "stick"], 2, 32, tmp_path)
    assert results[0].legend is not None and results[0].legend.low == "near"
    assert results[1].legend is None
