"""A colour legend drawn under rendered frames: what a renderer's colours encode, in words.

DrAction colours each Gaussian by its depth (near blue, far red) and, with its
follow camera, shifts the whole figure's hue with travel towards or away from
the camera. Without a key a reader sees only "a drift from blue to red". A
renderer that encodes something in colour describes it with a
:class:`ColourLegend` (``Renderer.colour_legend()``); this module draws it as a
strip of the sheet's width: a title, the colour bar between its two end labels,
and an optional note. Text is sized from the strip's width with a floor, so it
stays legible on a small sheet, and the strip widens a sheet narrower than the
legend needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

#: text and background of the strip: dark on light reads on any render's background
INK, PAPER = (20, 20, 20), (240, 240, 240)
#: the smallest text height in pixels (legible) and the largest (a poster-sized sheet needs no more)
MIN_TEXT_PX, MAX_TEXT_PX = 12, 24
#: a sheet narrower than this is padded to it, so the labels fit beside the bar
MIN_WIDTH = 260


@dataclass(frozen=True)
class ColourLegend:
    """What the colours mean: ``colours`` are RGB stops in [0, 1] from ``low`` (left) to ``high`` (right)."""

    title: str
    colours: tuple[tuple[float, float, float], ...]
    low: str
    high: str
    note: str = ""

    def __post_init__(self) -> None:
        if len(self.colours) < 2:
            raise ValueError("a colour legend needs at least two colour stops")
        if any(len(c) != 3 or not all(0.0 <= v <= 1.0 for v in c) for c in self.colours):
            raise ValueError("colour stops are (r, g, b) with each value in [0, 1]")


def text_px(width: int) -> int:
    """Text height for a strip ``width`` pixels wide: about 1/40 of it, within [MIN_TEXT_PX, MAX_TEXT_PX]."""
    return int(min(MAX_TEXT_PX, max(MIN_TEXT_PX, round(width / 40))))


def _bar(colours: tuple[tuple[float, float, float], ...], width: int, height: int) -> Image.Image:
    """The stops linearly interpolated over ``width`` pixels."""
    stops = np.asarray(colours, dtype=np.float32)
    x = np.linspace(0.0, len(stops) - 1, max(width, 1))
    row = np.stack([np.interp(x, np.arange(len(stops)), stops[:, c]) for c in range(3)], axis=-1)
    pixels = np.repeat((row * 255).round().astype(np.uint8)[None], max(height, 1), axis=0)
    return Image.fromarray(pixels)


def _wrapped(text: str, width: float, length: Callable[[str], float]) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` as ``length`` measures them."""
    lines: list[str] = []
    for word in text.split():
        if lines and length(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def legend_strip(legend: ColourLegend, width: int) -> Image.Image:
    """The legend as an RGB image ``width`` pixels wide (at least :data:`MIN_WIDTH`)."""
    width = max(int(width), MIN_WIDTH)
    size = text_px(width)
    font = ImageFont.load_default(size=size)
    pad, line = max(4, size // 2), int(size * 1.3)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    notes = _wrapped(legend.note, width - 2 * pad, lambda s: measure.textlength(s, font=font))
    height = pad + line + line + len(notes) * line + pad
    strip = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(strip)
    draw.text((pad, pad), legend.title, fill=INK, font=font)
    y = pad + line
    low_w = int(draw.textlength(legend.low, font=font))
    high_w = int(draw.textlength(legend.high, font=font))
    bar_x0, bar_x1 = pad + low_w + pad, width - pad - high_w - pad
    draw.text((pad, y), legend.low, fill=INK, font=font)
    draw.text((width - pad - high_w, y), legend.high, fill=INK, font=font)
    if bar_x1 - bar_x0 >= 8:
        strip.paste(_bar(legend.colours, bar_x1 - bar_x0, size), (bar_x0, y + (line - size) // 2))
    for i, text in enumerate(notes):
        draw.text((pad, y + line * (i + 1)), text, fill=INK, font=font)
    return strip


def with_legend(image: Image.Image, legend: ColourLegend | None, background: int = 64) -> Image.Image:
    """``image`` with the legend strip under it (centred on a wider strip when the image is narrow)."""
    if legend is None:
        return image
    strip = legend_strip(legend, image.width)
    out = Image.new("RGB", (strip.width, image.height + strip.height), (background,) * 3)
    out.paste(image.convert("RGB"), ((strip.width - image.width) // 2, 0))
    out.paste(strip, (0, image.height))
    return out
