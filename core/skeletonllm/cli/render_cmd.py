"""``skeletonllm render FILE... -o OUT``: look at skeleton files through any registered renderer."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import click

from ..errors import SkeletonLLMError

#: the placeholder ``--output`` needs when several files are rendered: each file's name without its suffix
STEM = "{stem}"


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())  # a folder among them: one error line
@click.option(
    "--renderer",
    "-r",
    "renderer_name",
    default=None,
    help="Renderer plugin name [default: the checkpoint's, else the installed default renderer].",
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
@click.option(
    "--fps",
    default=4.0,
    show_default=True,
    type=click.FloatRange(min=0.1, max=1000),
    callback=lambda _ctx, _param, value: _finite(value),
    help="GIF/MP4 frame rate.",
)
@click.option(
    "--legend/--no-legend",
    default=None,
    help="Draw the key of the renderer's colours (DrAction: depth) under the pictures [default: on for .png].",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False),
    help=f".png, .gif or .mp4; with several files it must contain {STEM} (e.g. renders/{STEM}.gif)",
)
def render(
    files: tuple[str, ...],
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
    legend: bool | None,
    output: str,
) -> None:
    """Render each FILE to a PNG contact sheet, an animated GIF or an MP4 (chosen by the output's suffix).

    A file that cannot be read or drawn is reported on its own line; the others are still
    rendered, and the exit status is 1.
    """
    from ..imaging import IMAGE_SUFFIXES
    from ..io import parse_options
    from ..registry import get_registry
    from ..rendering import check_render_memory
    from .each_file import FileErrors

    # Everything that can be checked cheaply fails before any file is read or model built.
    suffix = Path(output).suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        known = ", ".join(IMAGE_SUFFIXES)
        raise SkeletonLLMError(f"{output}: unknown output type {suffix or '(no suffix)'!r}; use one of {known}")
    targets = output_names(files, output)
    format_options = parse_options(option)
    if fmt:
        get_registry().info("format", fmt)
    given = {"frames": frames, "size": size}
    renderer_options = {k: v for k, v in given.items() if v is not None} | parse_options(renderer_option)
    if checkpoint is None:
        renderer_name = renderer_name or get_registry().default("renderer", "render")
        renderer_options = {"frames": 12, "size": 448} | renderer_options
    if renderer_name is not None:
        get_registry().info("renderer", renderer_name)
    check_render_memory(renderer_options.get("frames", 1), renderer_options.get("size", 8))  # before building
    started = time.perf_counter()
    # once: a bad option fails once, not per file
    renderer = _build(renderer_name, renderer_options, checkpoint, allow_unverified)
    check_render_memory(renderer.options.frames, renderer.options.size)  # a checkpoint's recorded options
    errors = FileErrors()
    for i, (file, target) in enumerate(zip(files, targets)):
        with errors.one(file):
            desc = "render" if len(files) == 1 else f"render {i + 1}/{len(files)}"
            _draw(renderer, file, target, (fmt, format_options, index), (fps, legend), started, desc)
        started = time.perf_counter()
    errors.finish(len(files))


def _finite(value: float) -> float:
    """FloatRange lets NaN through (every comparison with NaN is false)."""
    if value != value:
        raise click.BadParameter(f"{value} is not a frame rate (between 0.1 and 1000)")
    return value


def output_names(files: tuple[str, ...], output: str) -> list[str]:
    """Where each file's render goes: ``output`` itself for one file, ``output`` with its ``{stem}`` filled for several.

    Two inputs that would be written to one name (``a/clip.skeleton`` and ``b/clip.bvh``) are
    refused before anything is rendered: one render would silently replace the other.
    """
    if len(files) == 1:
        return [output.replace(STEM, Path(files[0]).stem)]
    if STEM not in output:
        raise SkeletonLLMError(
            f"{len(files)} files but one --output {output!r}: with several files the output must contain "
            f"{STEM}, replaced by each file's name (e.g. -o renders/{STEM}{Path(output).suffix or '.png'})"
        )
    targets = [output.replace(STEM, Path(f).stem) for f in files]
    seen: dict[str, str] = {}
    for file, target in zip(files, targets):
        if target in seen and seen[target] != file:
            raise SkeletonLLMError(f"{seen[target]} and {file} would both be rendered to {target}; rename one")
        seen[target] = file
    return targets


def _build(renderer_name: str | None, options: dict, checkpoint: str | None, allow_unverified: bool = False):
    """The renderer; its warnings (an old checkpoint's defaults) are one ``warning:`` line each.

    ``allow_unverified``: accept a checkpoint without an integrity record (``--allow-unverified``).
    """
    from ..progress import progress
    from ..rendering import build_renderer

    renderer = None
    for _ in progress(("build renderer",), desc="render", unit="step"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                renderer = build_renderer(renderer_name, options, checkpoint, allow_unverified=allow_unverified)
            finally:
                for warning in caught:
                    click.echo(f"warning: {warning.message}", err=True)
    return renderer


def _draw(renderer, file: str, output: str, reading: tuple, writing: tuple, started: float, desc: str) -> None:
    """Read (``reading``: format, its options, sequence index), render and write one file; prints what it wrote.

    ``writing`` is the frame rate and ``--legend`` (None: the colour key under a PNG, not a GIF or MP4).
    """
    from ..atomic import atomic_write
    from ..imaging import write_frames
    from ..progress import progress
    from ..rendering import read_batch, render_batch

    batch = images = None
    # Stages, so a slow step (a long BVH, DrAction on CPU) shows a progress bar after a second.
    for stage in progress(("read", "render", "write"), desc=desc, unit="step"):
        if stage == "read":
            batch = read_batch(file, renderer.options.frames, reading[2], reading[0], reading[1])
        elif stage == "render":
            images = render_batch(renderer, batch)
        else:
            fps, legend = writing
            wanted = Path(output).suffix.lower() == ".png" if legend is None else legend
            with atomic_write(output) as tmp:  # a full disk leaves no 0-byte GIF behind
                write_frames(images, tmp, fps=fps, legend=renderer.colour_legend() if wanted else None)
    f, _, h, w = images.shape
    seconds = time.perf_counter() - started
    click.echo(f"wrote {output} ({f} frames, {w}x{h}, renderer {renderer.name}) in {seconds:.1f} s")
