"""Collate sequences into the tensor batch renderers consume, with frame sampling.

Uniform segment sampling (TSN-style) is the paper's choice: the clip is cut
into ``frames`` equal segments and one frame is taken from each, at a random
offset in training (augmentation) and at the centre in evaluation
(determinism). Clips shorter than ``frames`` repeat frames rather than pad,
so every clip yields exactly ``frames`` images.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .errors import SkeletonDataError
from .sequence import SkeletonSequence
from .topology import Topology


def segment_indices(num_frames: int, frames: int, train: bool, rng: np.random.Generator | None = None) -> np.ndarray:
    """Indices of ``frames`` frames from a clip of ``num_frames`` by uniform segments."""
    if num_frames < 1:
        raise SkeletonDataError("cannot sample frames from an empty sequence")
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    seg = num_frames / frames
    if train:
        rng = rng if rng is not None else np.random.default_rng()
        offset = rng.random(frames)
    else:
        offset = np.full(frames, 0.5)
    idx = np.floor(seg * (np.arange(frames) + offset)).astype(np.int64)
    return np.clip(idx, 0, num_frames - 1)


@dataclass
class SkeletonBatch:
    """Padded tensors for ``B`` clips of one topology.

    ``positions`` ``(B, M, F, V, C)``; ``mask`` ``(B, M, F, V)`` is False for
    missing joints and for padded persons; ``orientations`` ``(B, M, F, V, 4)``
    or None when any clip lacks them.
    """

    positions: torch.Tensor
    mask: torch.Tensor
    topology: Topology
    orientations: torch.Tensor | None = None
    labels: torch.Tensor | None = None
    meta: list[dict[str, Any]] = field(default_factory=list)

    @property
    def batch_size(self) -> int:
        return int(self.positions.shape[0])

    @property
    def num_frames(self) -> int:
        return int(self.positions.shape[2])

    def to(self, device: torch.device | str) -> SkeletonBatch:
        return SkeletonBatch(
            positions=self.positions.to(device),
            mask=self.mask.to(device),
            topology=self.topology,
            orientations=None if self.orientations is None else self.orientations.to(device),
            labels=None if self.labels is None else self.labels.to(device),
            meta=self.meta,
        )

    @classmethod
    def from_sequences(
        cls,
        sequences: list[SkeletonSequence],
        frames: int | None = 12,
        train: bool = False,
        rng: np.random.Generator | None = None,
        labels: list[int] | None = None,
        max_persons: int | None = None,
    ) -> SkeletonBatch:
        """Sample ``frames`` frames per clip (``None`` keeps every frame; then lengths must agree)."""
        if not sequences:
            raise SkeletonDataError("cannot build a batch from no sequences")
        topo = sequences[0].topology
        for s in sequences[1:]:
            if s.topology != topo:
                raise SkeletonDataError(
                    f"a batch needs one topology; got {topo.name!r} and {s.topology.name!r}",
                    source=s.meta.get("source"),
                )
        picked = []
        for s in sequences:
            if frames is not None:
                s = s.select_frames(segment_indices(s.num_frames, frames, train, rng))
            picked.append(s)
        lengths = {s.num_frames for s in picked}
        if len(lengths) != 1:
            raise SkeletonDataError(f"frames=None needs equal lengths, got {sorted(lengths)}")
        f = lengths.pop()
        m = max(s.num_persons for s in picked)
        if max_persons is not None:
            m = min(m, max_persons)
        v, c = topo.num_joints, topo.dims
        b = len(picked)
        pos = np.zeros((b, m, f, v, c), np.float32)
        mask = np.zeros((b, m, f, v), bool)
        has_q = all(s.orientations is not None for s in picked)
        quat = np.zeros((b, m, f, v, 4), np.float32) if has_q else None
        if quat is not None:
            quat[..., 0] = 1.0
        for i, s in enumerate(picked):
            k = min(m, s.num_persons)
            pos[i, :k] = s.positions[:k]
            mask[i, :k] = s.mask[:k]
            if quat is not None:
                quat[i, :k] = s.orientations[:k]
        return cls(
            positions=torch.from_numpy(pos),
            mask=torch.from_numpy(mask),
            topology=topo,
            orientations=None if quat is None else torch.from_numpy(quat),
            labels=None if labels is None else torch.as_tensor(labels, dtype=torch.long),
            meta=[dict(s.meta) for s in picked],
        )

    def render(self, renderer: Any) -> torch.Tensor:
        """``renderer(self)``: the frames ``(B, F, 3, H, W)``; :class:`MixedBatch` has the same call."""
        return renderer(self)

    def apply(self, fn: Callable[[SkeletonBatch], torch.Tensor]) -> torch.Tensor:
        """``fn(self)``: any per-clip reading of the batch (a joint model's input); :class:`MixedBatch` has it too."""
        return fn(self)


@dataclass
class MixedBatch:
    """Clips of several topologies (a folder of mixed formats): one batch per topology.

    A renderer draws one topology per call, so each part is rendered on its own and the
    frames are put back in the order of the clips. ``parts`` holds, per topology, the
    clips' positions in the whole batch and their :class:`SkeletonBatch`.
    """

    parts: list[tuple[torch.Tensor, SkeletonBatch]]

    @property
    def batch_size(self) -> int:
        return sum(int(index.numel()) for index, _ in self.parts)

    def to(self, device: torch.device | str) -> MixedBatch:
        return MixedBatch([(index.to(device), batch.to(device)) for index, batch in self.parts])

    def render(self, renderer: Any) -> torch.Tensor:
        """Every part rendered, the frames in the clips' order (differentiable, like one call)."""
        return self.apply(renderer)

    def apply(self, fn: Callable[[SkeletonBatch], torch.Tensor]) -> torch.Tensor:
        """``fn`` of every part (one row per clip: frames, or a joint model's input), rows in the clips' order."""
        order = torch.cat([index for index, _ in self.parts])
        out = torch.cat([fn(batch) for _, batch in self.parts])
        return out[torch.argsort(order).to(out.device)]

    @staticmethod
    def from_sequences(sequences: list[SkeletonSequence], **kwargs: Any) -> SkeletonBatch | MixedBatch:
        """One :class:`SkeletonBatch` when every clip has the same topology, else a :class:`MixedBatch`."""
        groups: dict[Topology, list[int]] = {}
        for i, s in enumerate(sequences):
            groups.setdefault(s.topology, []).append(i)
        if len(groups) <= 1:
            return SkeletonBatch.from_sequences(sequences, **kwargs)
        labels = kwargs.pop("labels", None)
        parts = []
        for index in groups.values():
            part_labels = None if labels is None else [labels[i] for i in index]
            batch = SkeletonBatch.from_sequences([sequences[i] for i in index], labels=part_labels, **kwargs)
            parts.append((torch.as_tensor(index, dtype=torch.long), batch))
        return MixedBatch(parts)
