"""``skeletonllm render FILE -o OUT``: look at a skeleton file through any registered renderer."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import click

from ..errors import SkeletonLLMError


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--renderer",
    "-r",
    "renderer_name",
    default=None,
    help="Renderer plugin name [default: draction, or the checkpoint's].",
)
@click.option("--frames", "-f", default=None, type=click.IntRange(min=1), help="Frames to sample [default: 12].")
@click.option("--size", "-s", default=None, type=click.IntRange(min=8, max=4096), help="Image side [default: 448].")
@click.option(
    "-R",
    "--renderer-option",
    "renderer_option",
    multiple=True,
    help="Renderer option KEY=VALUE (e.g. -R line_width=3), checked by the renderer's Options model.",
)
@click.option(
    "--checkpoint",
    type=click.Path(file_okay=False),
    default=None,
    help="Checkpoint directory: renders with the renderer it trained (its name and options) and its weights.",
)
@click.option(
    "--allow-unverified",
    "allow_unverified",
    is_flag=True,
    help="Use a checkpoint whose manifest has no integrity record (its weights and options cannot be verified).",
)
@click.option("--format", "fmt", default=None, help="Force a format plugin instead of sniffing.")
@click.option("-O", "--option", "option", multiple=True, help="Format option KEY=VALUE (e.g. body_model=PATH).")
@click.option("--index", default=0, show_default=True, type=int, help="Which sequence of a container file.")
@click.option("--fps", default=4.0, show_default=True, type=click.FloatRange(min=0.1), help="GIF/MP4 frame rate.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help=".png, .gif or .mp4")
def render(
    file: str,
    renderer_name: str | None,
    frames: int | None,
    size: int | None,
    renderer_option: tuple[str, ...],
    checkpoint: str | None,
    allow_unverified: bool,
    fmt: str | None,
    option: tuple[str, ...],
    index: int,
    fps: float,
    output: str,
) -> None:
    """Render FILE to a PNG contact sheet, an animated GIF or an MP4 (chosen by the output's suffix)."""
    from ..atomic import atomic_write
    from ..imaging import IMAGE_SUFFIXES, write_frames
    from ..io import parse_options
    from ..progress import progress
    from ..registry import get_registry
    from ..rendering import build_renderer, check_render_memory, read_batch, render_batch

    # Everything that can be checked cheaply fails before any file is read or model built.
    suffix = Path(output).suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        known = ", ".join(IMAGE_SUFFIXES)
        raise SkeletonLLMError(f"{output}: unknown output type {suffix or '(no suffix)'!r}; use one of {known}")
    format_options = parse_options(option)
    given = {"frames": frames, "size": size}
    renderer_options = {k: v for k, v in given.items() if v is not None} | parse_options(renderer_option)
    if checkpoint is None:
        renderer_name = renderer_name or "draction"
        renderer_options = {"frames": 12, "size": 448} | renderer_options
    if renderer_name is not None:
        get_registry().info("renderer", renderer_name)
    check_render_memory(renderer_options.get("frames", 1), renderer_options.get("size", 8))  # before building
    started = time.perf_counter()
    renderer = batch = images = None
    # Stages, so a slow step (a long BVH, DrAction on CPU) shows a progress bar after a second.
    for stage in progress(("build renderer", "read", "render", "write"), desc="render", unit="step"):
        if stage == "build renderer":
            with warnings.catch_warnings(record=True) as caught:  # one "warning:" line each, no source lines
                warnings.simplefilter("always", RuntimeWarning)
                try:
                    renderer = build_renderer(
                        renderer_name, renderer_options, checkpoint, allow_unverified=allow_unverified
                    )
                finally:
                    for warning in caught:
                        click.echo(f"warning: {warning.message}", err=True)
        elif stage == "read":
            check_render_memory(renderer.options.frames, renderer.options.size)  # a checkpoint's recorded options
            batch = read_batch(file, renderer.options.frames, index, fmt, format_options)
        elif stage == "render":
            images = render_batch(renderer, batch)
        else:
            with atomic_write(output) as tmp:  # a full disk leaves no 0-byte GIF behind
                write_frames(images, tmp, fps=fps)
    f, _, h, w = images.shape
    seconds = time.perf_counter() - started
    click.echo(f"wrote {output} ({f} frames, {w}x{h}, renderer {renderer.name}) in {seconds:.1f} s")
