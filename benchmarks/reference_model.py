"""The reference classifier's network and data preparation: a small ST-GCN over normalised joints.

What skeleton-action papers (ST-GCN, CTR-GCN, PYSKL) train, cut down to run on two CPU cores:
graph convolutions over the topology's bones alternate with temporal convolutions, on three
input streams stacked as channels (joint positions, bone vectors, frame-to-frame motion).
Nothing here knows a dataset or a joint count: the graph comes from ``Topology.edges``, the
vertical from ``Topology.up_axis``, the unit from the body's own size.

Preparation (once per clip, then cached in memory as one array per dataset):

* turn the clip so that its up axis is +y (``Topology.up_rotation``; 2D points lifted to z=0);
* keep the ``persons`` persons present in the most frames (the others rarely matter);
* centre on the clip's mean valid joint and divide by the body's size (median over frames
  of the RMS distance of the first person's joints from their centroid), so metres,
  millimetres and pixels all give bodies of size 1;
* resample to ``frames`` frames by linear interpolation (missing joints keep mask False).

Training augments with a random turn about the vertical (a camera elsewhere on the floor),
a small tilt, a per-axis scale and a random temporal crop: the augmentations CTR-GCN's
NW-UCLA loader uses, in milder form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology


# -- preparation ---------------------------------------------------------------------------
def prepare(seq: SkeletonSequence, frames: int, persons: int) -> tuple[np.ndarray, np.ndarray]:
    """``(persons, frames, V, C)`` float32 positions (normalised, y up) and ``(persons, frames, V)`` mask."""
    pos, mask = seq.positions.astype(np.float64), seq.mask
    rot = np.asarray(seq.topology.up_rotation())
    if seq.dims == 2:
        lifted = np.concatenate([pos, np.zeros(pos.shape[:-1] + (1,))], axis=-1)
        pos = (lifted @ rot.T)[..., :2]
    else:
        pos = pos @ rot.T
    order = np.argsort(-mask.sum(axis=(1, 2)), kind="stable")[:persons]
    pos, mask = pos[np.sort(order)], mask[np.sort(order)]
    if mask.any():
        centre = pos[mask].mean(axis=0)
        pos = np.where(mask[..., None], pos - centre, 0.0)
        pos /= body_size(pos[0], mask[0])
    m, t, v, c = pos.shape
    out = np.zeros((persons, frames, v, c), np.float32)
    out_mask = np.zeros((persons, frames, v), bool)
    where = np.linspace(0.0, t - 1, frames)
    lo = np.floor(where).astype(int)
    hi = np.minimum(lo + 1, t - 1)
    w = (where - lo)[:, None, None]
    out[:m] = (1 - w) * pos[:, lo] + w * pos[:, hi]
    out_mask[:m] = mask[:, lo] & mask[:, hi]
    out[:m][~out_mask[:m]] = 0.0
    return out, out_mask


def body_size(pos: np.ndarray, mask: np.ndarray) -> float:
    """Median over frames of the RMS joint distance from the frame's centroid (1.0 when unknown)."""
    sizes = []
    for t in range(pos.shape[0]):
        joints = pos[t][mask[t]]
        if len(joints) >= 2:
            sizes.append(float(np.sqrt(((joints - joints.mean(0)) ** 2).sum(-1).mean())))
    size = float(np.median(sizes)) if sizes else 0.0
    return size if np.isfinite(size) and size > 1e-9 else 1.0


# -- graph ---------------------------------------------------------------------------------
def graph_partitions(topology: Topology) -> torch.Tensor:
    """``(3, V, V)``: self links, the symmetric-normalised bone graph, and its 2-hop reach."""
    v = topology.num_joints
    adj = np.zeros((v, v))
    for a, b in topology.edges:
        adj[a, b] = adj[b, a] = 1.0

    def normalise(a: np.ndarray) -> np.ndarray:
        deg = a.sum(1)
        inv = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1e-9)), 0.0)
        return inv[:, None] * a * inv[None, :]

    two_hop = ((adj @ adj) > 0).astype(float)
    np.fill_diagonal(two_hop, 0.0)
    two_hop[adj > 0] = 0.0
    return torch.tensor(np.stack([np.eye(v), normalise(adj), normalise(two_hop)]), dtype=torch.float32)


def bone_parents(topology: Topology) -> list[int]:
    """For each joint, its neighbour one step nearer to joint 0 (itself for joint 0 and unlinked joints)."""
    if topology.parents is not None:
        return [p if p >= 0 else j for j, p in enumerate(topology.parents)]
    neighbours: dict[int, list[int]] = {j: [] for j in range(topology.num_joints)}
    for a, b in topology.edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    parent = list(range(topology.num_joints))
    seen, queue = {0}, [0]
    while queue:
        j = queue.pop(0)
        for k in neighbours[j]:
            if k not in seen:
                seen.add(k)
                parent[k] = j
                queue.append(k)
    return parent


# -- network -------------------------------------------------------------------------------
class GraphConv(nn.Module):
    """Spatial convolution: one 1x1 projection per partition, mixed over joints by ``A + learned``."""

    def __init__(self, c_in: int, c_out: int, partitions: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("A", partitions)
        self.learned = nn.Parameter(torch.zeros_like(partitions))
        self.k = partitions.shape[0]
        self.proj = nn.Conv2d(c_in, c_out * self.k, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, C, T, V)
        n, _, t, v = x.shape
        y = self.proj(x).view(n, self.k, -1, t, v)
        return torch.einsum("nkctv,kvw->nctw", y, self.A + self.learned)


class Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, partitions: torch.Tensor, stride: int, kernel: int) -> None:
        super().__init__()
        self.gcn = GraphConv(c_in, c_out, partitions)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.tcn = nn.Conv2d(c_out, c_out, (kernel, 1), (stride, 1), (kernel // 2, 0))
        self.bn2 = nn.BatchNorm2d(c_out)
        self.residual = (
            nn.Identity()
            if c_in == c_out and stride == 1
            else nn.Sequential(nn.Conv2d(c_in, c_out, 1, (stride, 1)), nn.BatchNorm2d(c_out))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.gcn(x)))
        return F.relu(self.bn2(self.tcn(y)) + self.residual(x))


class StGcnLite(nn.Module):
    """Input ``(N, M, T, V, C)`` plus mask ``(N, M, T, V)``: class logits ``(N, classes)``."""

    def __init__(
        self, topology: Topology, classes: int, widths: tuple[int, ...] = (32, 32, 64, 64), kernel: int = 5
    ) -> None:
        super().__init__()
        c = topology.dims
        self.register_buffer("parent", torch.tensor(bone_parents(topology)))
        partitions = graph_partitions(topology)
        streams = 3 * c + 1  # joint, bone, motion, mask
        self.data_bn = nn.BatchNorm1d(streams * topology.num_joints)
        blocks, c_in = [], streams
        for i, width in enumerate(widths):
            stride = 2 if i > 0 and width != widths[i - 1] else 1
            blocks.append(Block(c_in, width, partitions, stride, kernel))
            c_in = width
        self.blocks = nn.Sequential(*blocks)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(c_in, classes)

    def features(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``(N, M, T, V, 3C+1)``: positions, bone vectors, motion and the mask as channels."""
        m = mask.unsqueeze(-1).float()
        bone = (x - x[..., self.parent, :]) * m * m[..., self.parent, :]
        motion = torch.zeros_like(x)
        motion[:, :, 1:] = (x[:, :, 1:] - x[:, :, :-1]) * m[:, :, 1:] * m[:, :, :-1]
        return torch.cat([x, bone, motion, m], dim=-1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n, persons, t, v, _ = x.shape
        f = self.features(x, mask)  # (N, M, T, V, S)
        s = f.shape[-1]
        f = f.permute(0, 1, 3, 4, 2).reshape(n * persons, v * s, t)
        f = self.data_bn(f).view(n * persons, v, s, t).permute(0, 2, 3, 1)  # (NM, S, T, V)
        y = self.blocks(f).mean(dim=(2, 3)).view(n, persons, -1)
        present = mask.any(dim=(2, 3)).float().unsqueeze(-1)  # (N, M, 1)
        pooled = (y * present).sum(1) / present.sum(1).clamp(min=1.0)
        return self.head(self.drop(pooled))


# -- augmentation --------------------------------------------------------------------------
@dataclass(frozen=True)
class Augment:
    """Random view change: turn about the vertical (degrees), tilt, per-axis scale, temporal crop share."""

    yaw: float = 45.0
    tilt: float = 10.0
    scale: float = 0.1
    crop: float = 0.15

    def __call__(self, x: torch.Tensor, mask: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        n, _, t, _, c = x.shape
        if c == 3:
            x = torch.einsum("nmtvc,ndc->nmtvd", x, self._rotations(n, gen))
        else:  # an image: the only view change is an in-plane tilt
            angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(self.tilt)
            cos, sin = torch.cos(angle), torch.sin(angle)
            rot = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
            x = torch.einsum("nmtvc,ndc->nmtvd", x, rot)
        x = x * (1 + (torch.rand(n, 1, 1, 1, c, generator=gen) * 2 - 1) * self.scale)
        x = x * mask.unsqueeze(-1)
        return self._crop(x, mask, gen, t)

    def _rotations(self, n: int, gen: torch.Generator) -> torch.Tensor:
        yaw = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(self.yaw)
        tilt = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(self.tilt)
        cy, sy, ct, st = torch.cos(yaw), torch.sin(yaw), torch.cos(tilt), torch.sin(tilt)
        zero, one = torch.zeros(n), torch.ones(n)
        about_y = torch.stack(
            [torch.stack([cy, zero, sy], -1), torch.stack([zero, one, zero], -1), torch.stack([-sy, zero, cy], -1)], -2
        )
        about_x = torch.stack(
            [torch.stack([one, zero, zero], -1), torch.stack([zero, ct, -st], -1), torch.stack([zero, st, ct], -1)], -2
        )
        return about_x @ about_y

    def _crop(self, x: torch.Tensor, mask: torch.Tensor, gen: torch.Generator, t: int):
        """Keep a random window of at least ``1 - crop`` of the clip, stretched back to ``t`` frames."""
        n = x.shape[0]
        keep = 1 - torch.rand(n, generator=gen) * self.crop
        start = torch.rand(n, generator=gen) * (1 - keep)
        where = (start[:, None] + keep[:, None] * torch.linspace(0, 1, t)[None]) * (t - 1)  # (N, T)
        lo = where.floor().long().clamp(0, t - 1)
        hi = (lo + 1).clamp(max=t - 1)
        w = (where - lo).view(n, 1, t, 1, 1)

        def take(a: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
            shape = idx.view(n, 1, t, *([1] * (a.dim() - 3))).expand(-1, a.shape[1], -1, *a.shape[3:])
            return torch.gather(a, 2, shape)

        out = (1 - w) * take(x, lo) + w * take(x, hi)
        out_mask = take(mask, lo) & take(mask, hi)
        return out * out_mask.unsqueeze(-1), out_mask
