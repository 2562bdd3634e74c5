"""Pretrained vision towers: where they are cached, how they are named, saved and loaded.

The CPU presets' vision towers start random (no pretrained encoder is available
offline), and a random tower cannot be taught to read rendered skeletons through
a language model in the steps a CPU affords (``docs/zero_shot.md``). Vision
pretraining (``skeletonllm pretrain-vision``) teaches the tower alone, from
targets computed from the joints; this module is the contract between that
command and every backbone that can start from its result (``vision_init``).

A tower is a checkpoint folder (``skeletonllm.checkpoint``: atomic safetensors
plus a verified JSON manifest) holding only the backbone's ``vision`` group,
under ``<cache root>/towers/<architecture>--<renderer>``:

- the *architecture* (:func:`tower_identity`) is the backbone family and a hash
  of the vision group's parameter names and shapes, so the tiny and smol InternVL
  presets share a tower when their towers have the same size, and a tower never
  loads into another one;
- the *renderer* part is a hash of the renderer's name and options (frame count
  excluded: the tower reads one frame at a time), because a tower learns the
  pixels of one renderer at one setting.

The cache root is ``$SKELETONLLM_CACHE``, else ``$XDG_CACHE_HOME/skeletonllm``,
else ``~/.cache/skeletonllm`` (the rule of every other cache of the project).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from .errors import CheckpointError, SkeletonLLMError

ENV_VAR = "SKELETONLLM_CACHE"
#: the manifest's ``kind`` of a tower folder (a training checkpoint has none)
KIND = "vision_tower"
#: renderer options that do not change what one frame looks like
FRAME_INDEPENDENT = ("frames",)
HOW_TO_MAKE = "skeletonllm pretrain-vision SPEC --cache (SPEC: a spec with this backbone and renderer)"


class TowerNotFound(SkeletonLLMError):
    """No cached tower fits the backbone (the message says in one line how to make one)."""


def cache_root() -> Path:
    """``$SKELETONLLM_CACHE``, else ``$XDG_CACHE_HOME/skeletonllm``, else ``~/.cache/skeletonllm``."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "skeletonllm"


def towers_root(root: str | Path | None = None) -> Path:
    return (Path(root).expanduser() if root else cache_root()) / "towers"


def _digest(value: Any, n: int = 10) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:n]


def vision_shapes(backbone) -> list[tuple[str, tuple[int, ...]]]:
    """``(name, shape)`` of every parameter of the backbone's ``vision`` group, sorted by name."""
    ids = {id(p) for p in backbone.parameter_groups().get("vision", [])}
    shapes = sorted((n, tuple(p.shape)) for n, p in backbone.named_parameters() if id(p) in ids)
    if not shapes:
        raise SkeletonLLMError(f"backbone {backbone.name!r} has no 'vision' parameters: there is no tower to pretrain")
    return shapes


def tower_identity(backbone) -> str:
    """``<family>-vision-<hash of the vision group's names and shapes>``: what a tower must match to load."""
    return f"{backbone.name}-vision-{_digest(vision_shapes(backbone), 12)}"


def renderer_key(record: dict[str, Any]) -> str:
    """``<renderer>-<hash of its options>`` (frame count excluded) from a spec record ``{name, options}``."""
    options = {k: v for k, v in dict(record.get("options") or {}).items() if k not in FRAME_INDEPENDENT}
    return f"{record['name']}-{_digest(options, 8)}"


def tower_folder(backbone, renderer_record: dict[str, Any], root: str | Path | None = None) -> Path:
    """Where the tower of ``backbone`` trained on frames of ``renderer_record`` lives in the cache."""
    return towers_root(root) / f"{tower_identity(backbone)}--{renderer_key(renderer_record)}"


def save_tower(folder: str | Path, backbone, manifest: dict[str, Any]) -> Path:
    """Write the backbone's ``vision`` group and ``manifest`` to ``folder`` atomically (replacing an old one)."""
    from .checkpoint import save_checkpoint

    tensors = backbone.trainable_state(["vision"])
    record = {**manifest, "kind": KIND, "tower": tower_identity(backbone), "backbone": backbone.name}
    return save_checkpoint(folder, tensors, record)


def candidates(identity: str, root: str | Path | None = None) -> list[Path]:
    """Cached tower folders of architecture ``identity`` (one per renderer setting it was trained on)."""
    base = towers_root(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob(f"{identity}--*") if p.is_dir() and not p.name.startswith("."))


def find_tower(backbone, where: str, root: str | Path | None = None) -> Path:
    """The folder ``where`` names: ``pretrained`` (the one cached tower of this architecture) or a path."""
    identity = tower_identity(backbone)
    if where != "pretrained":
        folder = Path(where).expanduser()
        if not folder.is_dir():
            raise TowerNotFound(f"vision_init {where!r}: no such folder; make a tower with: {HOW_TO_MAKE}")
        return folder
    found = candidates(identity, root)
    if not found:
        raise TowerNotFound(
            f"vision_init: pretrained: no tower {identity} in {towers_root(root)}; make one with: {HOW_TO_MAKE}"
        )
    if len(found) > 1:
        names = ", ".join(p.name.split("--", 1)[1] for p in found)
        raise TowerNotFound(
            f"vision_init: pretrained: {len(found)} towers {identity} (renderers {names}) in {towers_root(root)}; "
            f"name one with vision_init: <folder>"
        )
    return found[0]


def load_tower(backbone, where: str, root: str | Path | None = None, quiet: bool = False) -> dict[str, Any]:
    """Copy a cached tower into ``backbone``'s ``vision`` group; returns the tower's manifest.

    Refuses a folder that is not a tower, a tower of another architecture, and any
    tensor that does not fit (``Backbone.load_trainable``), naming the folder.
    """
    from .checkpoint import read_checkpoint

    folder = find_tower(backbone, where, root)
    tensors, manifest, _, unverified = read_checkpoint(folder, allow_unverified=True)
    if unverified:  # a spec option has no --allow-unverified: say how to get a tower that verifies
        raise CheckpointError(
            f"{folder}: this tower's integrity cannot be verified (written before towers carried a full "
            f"integrity record, or edited); vision_init uses verified towers only: make it again with {HOW_TO_MAKE}"
        )
    if manifest.get("kind") != KIND:
        raise CheckpointError(f"{folder}: not a vision tower (its manifest has no kind {KIND!r})")
    identity = tower_identity(backbone)
    if manifest.get("tower") != identity:
        raise CheckpointError(f"{folder}: a tower for {manifest.get('tower')!r}, not for this backbone's {identity!r}")
    expected = {f"backbone.{n}" for n, _ in vision_shapes(backbone)}
    missing = sorted(expected - set(tensors))
    if missing:
        raise CheckpointError(f"{folder}: the tower lacks {len(missing)} tensors, e.g. {missing[:3]}")
    backbone.load_trainable(tensors, source=folder)
    if not quiet:
        made = manifest.get("renderer", {})
        print(f"vision tower: {folder} (trained on {made.get('name', '?')} frames)", file=sys.stderr)
    return {**manifest, "loaded_from": str(folder)}
