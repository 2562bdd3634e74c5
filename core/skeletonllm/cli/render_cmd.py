"""``skeletonllm render FILE -o OUT``: look at a skeleton file through any registered renderer."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from ..errors import CheckpointError, SkeletonDataError, SkeletonLLMError
from .progress import progress


def load_renderer_checkpoint(renderer: Any, directory: str | Path) -> int:
    """Load the ``renderer.*`` tensors of a checkpoint into ``renderer``; returns how many were loaded."""
    from ..checkpoint import load_checkpoint
    from ..interfaces.renderer import CHECKPOINT_PREFIX

    tensors, _manifest = load_checkpoint(directory)
    if not any(k.startswith(CHECKPOINT_PREFIX) for k in tensors):
        prefixes = sorted({k.split(".", 1)[0] for k in tensors})
        raise CheckpointError(
            f"{directory}: no renderer tensors (keys starting with {CHECKPOINT_PREFIX!r}); "
            f"it holds {', '.join(prefixes) or 'nothing'}"
        )
    if not renderer.state_dict():
        raise CheckpointError(f"{directory}: has renderer tensors, but renderer {renderer.name!r} has no parameters")
    return renderer.load_trainable(tensors, directory)


def read_batch(
    path: str | Path, frames: int, index: int = 0, fmt: str | None = None, options: dict[str, Any] | None = None
) -> Any:
    """Sequence ``index`` of ``path`` as a one-clip batch of ``frames`` evaluation-sampled frames."""
    from ..batch import SkeletonBatch
    from ..io import read_sequences

    sequences = read_sequences(path, fmt, options=options)
    if not sequences:
        raise SkeletonDataError("the file holds no sequence", source=path)
    if not 0 <= index < len(sequences):
        raise SkeletonDataError(
            f"--index {index} is out of range: the file holds {len(sequences)} sequences", source=path
        )
    return SkeletonBatch.from_sequences([sequences[index]], frames=frames, train=False)


def build_renderer(name: str, frames: int, size: int, checkpoint: str | Path | None = None) -> Any:
    """A registered renderer in evaluation mode, with a checkpoint's renderer tensors when given."""
    from ..registry import get_registry

    renderer = get_registry().create("renderer", name, {"frames": frames, "size": size})
    if checkpoint is not None:
        load_renderer_checkpoint(renderer, checkpoint)
    return renderer.eval()


def render_batch(renderer: Any, batch: Any) -> Any:
    """The first clip's frames ``(F, 3, H, W)``, checked against the renderer contract."""
    import torch

    with torch.no_grad():
        out = renderer(batch)
    if out.dim() != 5 or out.shape[0] != 1 or out.shape[2] != 3:
        raise SkeletonLLMError(
            f"renderer {renderer.name!r} returned shape {tuple(out.shape)}, expected (1, F, 3, H, W)"
        )
    return out[0]


def render_file(
    path: str | Path,
    renderer_name: str,
    frames: int = 12,
    size: int = 448,
    index: int = 0,
    fmt: str | None = None,
    checkpoint: str | Path | None = None,
) -> Any:
    """Read sequence ``index`` of ``path`` and render it -> ``(F, 3, H, W)`` float tensor."""
    renderer = build_renderer(renderer_name, frames, size, checkpoint)
    return render_batch(renderer, read_batch(path, frames, index, fmt))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--renderer", "-r", "renderer_name", default="draction", show_default=True, help="Renderer plugin name.")
@click.option("--frames", "-f", default=12, show_default=True, type=click.IntRange(min=1), help="Frames to sample.")
@click.option("--size", "-s", default=448, show_default=True, type=click.IntRange(min=8, max=4096), help="Image side.")
@click.option("--checkpoint", type=click.Path(file_okay=False), default=None, help="Checkpoint directory to load.")
@click.option("--format", "fmt", default=None, help="Force a format plugin instead of sniffing.")
@click.option("-O", "--option", "option", multiple=True, help="Format option KEY=VALUE (e.g. body_model=PATH).")
@click.option("--index", default=0, show_default=True, type=int, help="Which sequence of a container file.")
@click.option("--fps", default=4.0, show_default=True, type=click.FloatRange(min=0.1), help="GIF/MP4 frame rate.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help=".png, .gif or .mp4")
def render(
    file: str,
    renderer_name: str,
    frames: int,
    size: int,
    checkpoint: str | None,
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
    from ..registry import get_registry

    # Everything that can be checked cheaply fails before any file is read or model built.
    suffix = Path(output).suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        known = ", ".join(IMAGE_SUFFIXES)
        raise SkeletonLLMError(f"{output}: unknown output type {suffix or '(no suffix)'!r}; use one of {known}")
    format_options = parse_options(option)
    get_registry().info("renderer", renderer_name)
    started = time.perf_counter()
    renderer = batch = images = None
    # Stages, so a slow step (a long BVH, DrAction on CPU) shows a progress bar after a second.
    for stage in progress(("build renderer", "read", "render", "write"), desc="render", unit="step"):
        if stage == "build renderer":
            renderer = build_renderer(renderer_name, frames, size, checkpoint)
        elif stage == "read":
            batch = read_batch(file, frames, index, fmt, format_options)
        elif stage == "render":
            images = render_batch(renderer, batch)
        else:
            with atomic_write(output) as tmp:  # a full disk leaves no 0-byte GIF behind
                write_frames(images, tmp, fps=fps)
    f, _, h, w = images.shape
    seconds = time.perf_counter() - started
    click.echo(f"wrote {output} ({f} frames, {w}x{h}, renderer {renderer_name}) in {seconds:.1f} s")
