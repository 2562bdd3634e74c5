"""The key to DrAction's depth colours: drawn under contact sheets, legible at the sheet's size, optional in GIFs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from render_cases import moving_positions

from skeletonllm.cli import cli
from skeletonllm.legend import INK, MIN_TEXT_PX, MIN_WIDTH, PAPER, ColourLegend, legend_strip, text_px, with_legend
from skeletonllm.registry import get_registry
from skeletonllm_formats.topologies import KINECT_V1

RAINBOW = ColourLegend("colour = depth", ((0.0, 0.0, 0.5), (0.0, 1.0, 0.0), (0.5, 0.0, 0.0)), "near", "far", "a note")


def _ink_rows(strip: Image.Image, top: int, bottom: int) -> np.ndarray:
    """Rows between ``top`` and ``bottom`` that hold text pixels (near the ink colour)."""
    pixels = np.asarray(strip.convert("RGB"), dtype=np.int16)[top:bottom]
    dark = (np.abs(pixels - np.array(INK)).sum(axis=-1) < 150).any(axis=1)
    return np.flatnonzero(dark)


def _tallest_glyph_run(rows: np.ndarray) -> int:
    """Length of the longest run of consecutive inked rows: the height of a line of text."""
    if rows.size == 0:
        return 0
    breaks = np.flatnonzero(np.diff(rows) > 1)
    starts = np.concatenate([[0], breaks + 1])
    stops = np.concatenate([breaks, [rows.size - 1]])
    return int((stops - starts + 1).max())


@pytest.mark.parametrize("width", [98, 260, 448, 1800])
def test_the_strip_is_legible_at_every_sheet_width(width):
    strip = legend_strip(RAINBOW, width)
    assert strip.width == max(width, MIN_WIDTH)
    size = text_px(strip.width)
    assert size >= MIN_TEXT_PX
    # the title line: its glyphs are at least 2/3 of the font size tall (a 12 px font: 8+ px capitals)
    title = _ink_rows(strip, 0, size * 2)
    assert _tallest_glyph_run(title) >= 2 * size // 3, (width, _tallest_glyph_run(title))
    # nothing is drawn against the right edge (text wrapped, labels inside)
    pixels = np.asarray(strip.convert("RGB"), dtype=np.int16)
    assert (np.abs(pixels[:, -2:] - np.array(PAPER)).sum(axis=-1) == 0).all()


def test_the_bar_runs_from_the_near_colour_to_the_far_colour():
    strip = np.asarray(legend_strip(RAINBOW, 448).convert("RGB"), dtype=np.int16)
    coloured = (strip.max(axis=-1) - strip.min(axis=-1)) > 80  # saturated: the bar, not grey text
    row = int(np.argmax(coloured.sum(axis=1)))  # the bar is the widest coloured row
    cols = np.flatnonzero(coloured[row])
    left, mid, right = strip[row, cols[0]], strip[row, cols[len(cols) // 2]], strip[row, cols[-1]]
    assert left[2] > 100 and left[0] < 30  # dark blue
    assert mid[1] > 200  # green
    assert right[0] > 100 and right[2] < 30  # dark red
    assert cols.size > 448 // 2  # the bar takes most of the width


def test_a_narrow_sheet_is_centred_on_a_strip_wide_enough_for_the_key():
    sheet = Image.new("RGB", (100, 50), (255, 0, 255))
    out = with_legend(sheet, RAINBOW)
    assert out.width == MIN_WIDTH and out.height > 50
    pixels = np.asarray(out)
    left = (MIN_WIDTH - 100) // 2
    assert (pixels[:50, left : left + 100] == (255, 0, 255)).all()
    assert with_legend(sheet, None) is sheet


def test_a_legend_needs_two_stops_in_range():
    with pytest.raises(ValueError, match="two colour stops"):
        ColourLegend("x", ((0.0, 0.0, 0.0),), "a", "b")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ColourLegend("x", ((0.0, 0.0, 0.0), (0.0, 2.0, 0.0)), "a", "b")


def test_draction_explains_its_depth_colours_and_baselines_have_nothing_to_explain():
    registry = get_registry()
    legend = registry.create("renderer", "draction", {"frames": 2, "size": 32}).colour_legend()
    assert (legend.low, legend.high) == ("near", "far")
    assert legend.colours[0] == (0.0, 0.0, 0.5) and legend.colours[-1] == (0.5, 0.0, 0.0)  # colormap.py's ends
    assert "towards the camera" in legend.note and "90%" in legend.note
    assert registry.create("renderer", "draction", {"depth_colour": False}).colour_legend() is None
    assert registry.create("renderer", "stick").colour_legend() is None


@pytest.fixture()
def ucla_file(tmp_path: Path) -> Path:
    xyz = moving_positions(KINECT_V1, frames=9, seed=5)
    path = tmp_path / "a01_s01_e00_v01.json"
    path.write_text(json.dumps({"file_name": path.stem, "skeletons": xyz.round(5).tolist(), "label": 1}))
    return path


def _render(*args) -> None:
    result = CliRunner().invoke(cli, ["render", *map(str, args)])
    assert result.exit_code == 0, result.output


def test_render_draws_the_key_under_a_contact_sheet_and_in_a_gif_only_when_asked(ucla_file, tmp_path):
    common = ("-r", "draction", "--frames", 4, "--size", 96)
    _render(ucla_file, *common, "-o", tmp_path / "with.png")
    _render(ucla_file, *common, "--no-legend", "-o", tmp_path / "without.png")
    _render(ucla_file, *common, "-o", tmp_path / "plain.gif")
    _render(ucla_file, *common, "--legend", "-o", tmp_path / "keyed.gif")
    with Image.open(tmp_path / "without.png") as plain, Image.open(tmp_path / "with.png") as keyed:
        assert plain.size == (2 * 96 + 2, 2 * 96 + 2)
        assert keyed.width == max(plain.width, MIN_WIDTH) and keyed.height > plain.height + 2 * MIN_TEXT_PX
        strip = keyed.convert("RGB").crop((0, plain.height, keyed.width, keyed.height))
        assert _tallest_glyph_run(_ink_rows(strip, 0, strip.height)) >= 8  # text, not a blank band
    with Image.open(tmp_path / "plain.gif") as gif:
        assert gif.size == (96, 96)
    with Image.open(tmp_path / "keyed.gif") as gif:
        assert gif.width == MIN_WIDTH and gif.height > 96 and gif.n_frames == 4
