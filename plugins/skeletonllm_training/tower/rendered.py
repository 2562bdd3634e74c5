"""Clips rendered once, with their targets: what vision pretraining and the probes read.

When the renderer is frozen, a clip's frames and targets do not change between
epochs, so they are rendered once (uint8, a quarter of float32's memory) and
optionally kept on disk under ``<cache root>/renders`` as an atomic checkpoint
folder keyed by the renderer's settings and the clips. A renderer that trains
(``train_renderer``) cannot be cached: its frames are drawn on the fly instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.checkpoint import load_checkpoint, save_checkpoint
from skeletonllm.errors import CheckpointError
from skeletonllm.interfaces import Sample
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.towers import cache_root

from .targets import MOVING, body_pose, body_scale, clip_facts, landmark_points, left_to_right, stack_facts

#: bump when what a cached render holds changes
FORMAT = 2


@dataclass
class RenderedSet:
    """``N`` clip renders: frames ``(N, F, 3, S, S)`` uint8, landmarks ``(N, 2, F, L, 3)``, body pose, facts, labels."""

    frames: torch.Tensor
    points: torch.Tensor
    pose: torch.Tensor
    scale: torch.Tensor
    facts: dict[str, torch.Tensor]
    labels: torch.Tensor
    ids: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.frames.shape[0])

    def images(self, index: torch.Tensor | slice) -> torch.Tensor:
        """Float frames in [0, 1] of the chosen clips."""
        return self.frames[index].float() / 255.0

    def subset(self, keep: torch.Tensor | list[int]) -> RenderedSet:
        idx = torch.as_tensor(keep, dtype=torch.long)
        pick = idx.tolist()
        return RenderedSet(
            self.frames[idx],
            self.points[idx],
            self.pose[idx],
            self.scale[idx],
            {k: v[idx] for k, v in self.facts.items()},
            self.labels[idx],
            [self.ids[i] for i in pick],
            [self.groups[i] for i in pick],
        )

    def tensors(self) -> dict[str, torch.Tensor]:
        """For a checkpoint file, which refuses NaN: missing targets become 0 with a ``.known`` mask beside them."""
        out = {"frames": self.frames, "scale": self.scale, "labels": self.labels}
        targets = {"points": self.points, "pose": self.pose, **{f"fact.{k}": v for k, v in self.facts.items()}}
        for name, value in targets.items():
            known = torch.isfinite(value) if value.is_floating_point() else torch.ones_like(value, dtype=torch.bool)
            out[name] = torch.where(known, value, torch.zeros_like(value))
            out[f"{name}.known"] = known
        return out

    @classmethod
    def from_tensors(cls, tensors: dict[str, torch.Tensor], ids: list[str], groups: list[str]) -> RenderedSet:
        t = {k: v for k, v in tensors.items() if not k.endswith(".known")}
        for name in t:
            if f"{name}.known" in tensors and t[name].is_floating_point():
                t[name] = torch.where(tensors[f"{name}.known"], t[name], torch.full_like(t[name], float("nan")))
        facts = {k[5:]: v for k, v in t.items() if k.startswith("fact.")}
        return cls(t["frames"], t["points"], t["pose"], t["scale"], facts, t["labels"], ids, groups)


def group_of(sample: Sample, default: str) -> str:
    """The part of the data a clip belongs to, for per-dataset figures (a mixture names it)."""
    return str(sample.meta.get("dataset") or default)


def render_sequences(
    renderer, sequences: list[SkeletonSequence], frames: int, rng: np.random.Generator | None = None, grad=False
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Frames ``(B, F, 3, S, S)`` in [0, 1], image landmarks and body pose of one same-topology batch.

    The frames keep their gradient with ``grad`` (a renderer that learns); the targets never have one.
    """
    batch = SkeletonBatch.from_sequences(sequences, frames=frames, train=rng is not None, rng=rng)
    batch = batch.to(renderer_device(renderer))
    with torch.set_grad_enabled(grad):
        images = renderer(batch)
    with torch.no_grad():
        try:
            projected = renderer.project(batch).cpu()
        except NotImplementedError:  # a renderer without a camera model: no landmark targets (masked)
            b, m, f, v = batch.mask.shape
            projected = torch.full((b, m, f, v, 3), float("nan"))
        points = landmark_points(projected, batch.topology, renderer.options.size)
        pose = body_pose(batch.positions.cpu(), batch.mask.cpu(), batch.topology)
    points, pose = left_to_right(points, pose)
    return images, points, pose


def renderer_device(renderer) -> torch.device:
    """Where a renderer's tensors live (CPU for one that has none)."""
    for tensor in (*renderer.parameters(), *renderer.buffers()):
        return tensor.device
    return torch.device("cpu")


def render_set(
    renderer,
    samples: list[Sample],
    frames: int,
    *,
    group: str = "data",
    variants: int = 1,
    seed: int = 0,
    batch_size: int = 16,
    show: Callable[[Iterable], Iterable] | None = None,
) -> RenderedSet:
    """Render every sample ``variants`` times (the first at the segments' centres, the others at random offsets)."""
    rows: list[tuple[Sample, SkeletonSequence, int]] = []
    by_topology: dict[object, list[int]] = {}
    for sample in samples:
        sequence = sample.load()
        for variant in range(variants):
            by_topology.setdefault(sequence.topology, []).append(len(rows))
            rows.append((sample, sequence, variant))
    order = [i for idx in by_topology.values() for i in idx]
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    frames_out: list[torch.Tensor | None] = [None] * len(rows)
    points_out: list[torch.Tensor | None] = [None] * len(rows)
    pose_out: list[torch.Tensor | None] = [None] * len(rows)
    facts_cache: dict[str, dict] = {}
    for chunk in show(chunks) if show else chunks:
        for variant in sorted({rows[i][2] for i in chunk}):
            part = [i for i in chunk if rows[i][2] == variant]
            rng = np.random.default_rng([seed, variant, part[0]]) if variant else None
            images, points, pose = render_sequences(renderer, [rows[i][1] for i in part], frames, rng)
            pixels = (images.clamp(0, 1) * 255).round().to(torch.uint8).cpu()
            for k, i in enumerate(part):
                frames_out[i], points_out[i], pose_out[i] = pixels[k], points[k], pose[k]
        for i in chunk:
            sample, sequence = rows[i][0], rows[i][1]
            if sample.id not in facts_cache:
                facts_cache[sample.id] = clip_facts(sequence)
    points = torch.stack(points_out)  # type: ignore[arg-type]
    return RenderedSet(
        frames=torch.stack(frames_out),  # type: ignore[arg-type]
        points=points,
        pose=torch.stack(pose_out),  # type: ignore[arg-type]
        scale=body_scale(points),
        facts=stack_facts([facts_cache[s.id] for s, _, _ in rows]),
        labels=torch.tensor([s.label for s, _, _ in rows], dtype=torch.long),
        ids=[f"{s.id}#{v}" if variants > 1 else s.id for s, _, v in rows],
        groups=[group_of(s, group) for s, _, _ in rows],
    )


def render_key(
    renderer_record: dict, data_record: dict, samples: list[Sample], frames: int, variants: int, seed: int
) -> str:
    """What a render depends on: renderer settings, the data (sample ids alone are not unique across
    topologies of one dataset), the clips, frames, variants and seed."""
    blob = json.dumps(
        {"renderer": renderer_record, "data": data_record, "ids": [s.id for s in samples], "frames": frames,
         "variants": variants, "seed": seed, "format": FORMAT},
        sort_keys=True, default=str,
    )  # fmt: skip
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def cached_render_set(
    renderer, renderer_record: dict, data_record: dict, samples: list[Sample], frames: int, *, root=None, **kw
):
    """:func:`render_set`, read from ``<cache root>/renders/<key>`` when an identical render was made before.

    ``data_record`` names the data the samples come from (e.g. the spec's ``data`` record and split).
    """
    variants, seed = kw.get("variants", 1), kw.get("seed", 0)
    key = render_key(renderer_record, data_record, samples, frames, variants, seed)
    folder = Path(root or cache_root()) / "renders" / key
    try:
        tensors, manifest = load_checkpoint(folder)
        return RenderedSet.from_tensors(tensors, manifest["ids"], manifest["groups"])
    except (CheckpointError, KeyError):
        pass
    rendered = render_set(renderer, samples, frames, **kw)
    save_checkpoint(folder, rendered.tensors(), {"ids": rendered.ids, "groups": rendered.groups, "format": FORMAT})
    return rendered


__all__ = ["MOVING", "RenderedSet", "cached_render_set", "render_set", "render_sequences"]
