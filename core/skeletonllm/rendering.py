"""Render one skeleton file with any registered renderer: the library behind ``skeletonllm render``.

Kept apart from the CLI so a benchmark, a notebook or another command can read,
build and render exactly as the command does. A renderer comes either from a name
and options or from a checkpoint, whose manifest records the renderer it trained
(name and every option), so a trained renderer is rebuilt exactly as it was trained.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .errors import CheckpointError, SkeletonDataError, SkeletonLLMError
from .manifest import component_from_manifest, rebuild_component
from .registry import Registry, get_registry


def read_batch(
    path: str | Path, frames: int, index: int = 0, fmt: str | None = None, options: dict[str, Any] | None = None
) -> Any:
    """Sequence ``index`` of ``path`` as a one-clip batch of ``frames`` evaluation-sampled frames."""
    from .batch import SkeletonBatch
    from .io import read_sequences

    sequences = read_sequences(path, fmt, options=options)
    if not sequences:
        raise SkeletonDataError("the file holds no sequence", source=path)
    if not 0 <= index < len(sequences):
        raise SkeletonDataError(
            f"index {index} is out of range: the file holds {len(sequences)} sequences", source=path
        )
    return SkeletonBatch.from_sequences([sequences[index]], frames=frames, train=False)


def load_renderer_checkpoint(renderer: Any, tensors: dict[str, Any], source: str | Path) -> int:
    """Load a checkpoint's ``renderer.*`` tensors into ``renderer``; returns how many were loaded."""
    from .interfaces.renderer import CHECKPOINT_PREFIX

    if not any(k.startswith(CHECKPOINT_PREFIX) for k in tensors):
        prefixes = sorted({k.split(".", 1)[0] for k in tensors})
        raise CheckpointError(
            f"{source}: no renderer tensors (keys starting with {CHECKPOINT_PREFIX!r}); "
            f"it holds {', '.join(prefixes) or 'nothing'}"
        )
    if not renderer.state_dict():
        raise CheckpointError(f"{source}: has renderer tensors, but renderer {renderer.name!r} has no parameters")
    return renderer.load_trainable(tensors, source)


def build_renderer(
    name: str | None = None,
    options: dict[str, Any] | None = None,
    checkpoint: str | Path | None = None,
    registry: Registry | None = None,
    allow_unverified: bool = False,
) -> Any:
    """A renderer in evaluation mode.

    Without ``checkpoint``: the registered renderer ``name`` with ``options`` (validated by its
    Options model). With one: the renderer its manifest records, name and options, with
    ``options`` applied on top (e.g. another ``size``; a change that alters the renderer's
    tensors is refused when they load) and the trained tensors loaded. ``name``, if given,
    must then be the recorded one.
    """
    registry = registry or get_registry()
    if checkpoint is None:
        if name is None:
            raise SkeletonLLMError("build_renderer needs a renderer name or a checkpoint")
        return registry.create("renderer", name, options or {}).eval()
    from .checkpoint import load_checkpoint

    tensors, manifest = load_checkpoint(checkpoint, allow_unverified)
    record = component_from_manifest(manifest, "renderer", checkpoint)
    if record is None:
        recorded = manifest.get("renderer")
        if not recorded and name is None:
            raise CheckpointError(f"{checkpoint}: the manifest names no renderer; pass one with --renderer")
        warnings.warn(
            f"{checkpoint}: the manifest records no renderer options (an older checkpoint); "
            "building the renderer with default options",
            RuntimeWarning,
            stacklevel=2,
        )
        record = {"name": recorded or name, "options": {}}
    if name is not None and name != record["name"]:
        raise CheckpointError(f"{checkpoint}: trained renderer {record['name']!r}, not {name!r}")
    renderer = rebuild_component(registry, "renderer", record, overrides=options, source=checkpoint)
    load_renderer_checkpoint(renderer, tensors, checkpoint)
    return renderer.eval()


#: peak bytes per output value while rendering (float32 frames plus the rasteriser's and the writer's
#: working copies), measured with ``skeletonllm render`` for stick and DrAction at 64 frames of 448 px
RENDER_BYTES_PER_VALUE = 4 * 5


def check_render_memory(frames: int, size: int, clips: int = 1) -> None:
    """Refuse, before anything is read or drawn, a render whose frames alone exceed the memory cap."""
    from .decode_budget import check_memory

    check_memory(
        clips * frames * 3 * size * size * RENDER_BYTES_PER_VALUE,
        f"rendering {frames:,} frames of {size}x{size} px",
        "use fewer frames (-f) or a smaller size (-s)",
    )


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
