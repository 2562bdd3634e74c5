"""The small prediction heads of vision pretraining, its loss, and the figures that say what the tower reads.

The heads are not part of the backbone and are thrown away after pretraining: what
is kept is a tower whose tokens carry the pose. They are shallow (one shared hidden
layer per frame and one per clip, or none), so the tower has to do the reading. Each frame's tokens are pooled to a
``grid x grid`` map (the layout the language model's projector sees after pixel
shuffle) and flattened; frames then predict where the landmarks are drawn and the
body pose, pairs of consecutive frames how the landmarks move, and all frames
together the clip's kinematic facts.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from skeletonllm.errors import SkeletonLLMError

from ..body import PARTS
from ..landmarks import LANDMARKS
from .targets import FACTS, MOVING, PERSONS, POSE_SIZE, velocities

#: a frame's pooled token map is at most this many cells a side
GRID = 4


def pooled_tokens(tokens: torch.Tensor, grid: int = GRID) -> torch.Tensor:
    """``(B, F, N, D)`` raster tokens -> ``(B, F, g*g*D)``: average-pooled to a ``g x g`` map, flattened."""
    b, f, n, d = tokens.shape
    side = math.isqrt(n)
    if side * side != n:
        raise SkeletonLLMError(f"vision tokens: {n} per frame is not a square patch grid; cannot pool them")
    g = min(grid, side)
    maps = tokens.reshape(b * f, side, side, d).permute(0, 3, 1, 2)
    return F.adaptive_avg_pool2d(maps, g).flatten(1).reshape(b, f, -1)


class PretrainHeads(nn.Module):
    """From a tower's tokens: image landmarks and body pose per frame, motion per frame pair, facts per clip.

    Every head reads the same per-frame features, the tokens layer-normed and pooled to a
    ``grid x grid`` map. With ``hidden = 0`` every head is linear in them (what they predict
    must be linearly readable from the tower's pooled tokens); with ``hidden > 0`` the frames
    share one hidden layer, and the clip another over all frames in time order (the
    measured default: it reads the pose better, see docs/vision_pretraining.md).
    """

    def __init__(self, dim: int, tokens: int, frames: int, hidden: int = 256, grid: int = GRID) -> None:
        super().__init__()
        self.grid = min(grid, math.isqrt(tokens))
        width = self.grid * self.grid * dim
        points = PERSONS * len(LANDMARKS) * 3
        self.norm = nn.LayerNorm(dim)
        self.frame = nn.Sequential(nn.Linear(width, hidden), nn.GELU()) if hidden else nn.Identity()
        inner = hidden or width
        self.clip = nn.Sequential(nn.Linear(frames * inner, hidden), nn.GELU()) if hidden else nn.Identity()
        clip_width = hidden or frames * width
        self.points = nn.Linear(inner, points)
        self.pose = nn.Linear(inner, PERSONS * POSE_SIZE)
        self.motion = nn.Linear(2 * inner, points)
        self.facts = nn.ModuleDict({name: nn.Linear(clip_width, len(c)) for name, c in FACTS.items()})
        self.moving = nn.Linear(clip_width, len(PARTS))

    def forward(self, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
        b, f = tokens.shape[:2]
        per_frame = self.frame(pooled_tokens(self.norm(tokens), self.grid))  # (B, F, W)
        shape = (b, PERSONS, len(LANDMARKS), 3)
        points = self.points(per_frame).reshape(b, f, *shape[1:]).transpose(1, 2)
        pose = self.pose(per_frame).reshape(b, f, PERSONS, POSE_SIZE).transpose(1, 2)
        pairs = torch.cat([per_frame[:, :-1], per_frame[:, 1:]], dim=-1)
        motion = self.motion(pairs).reshape(b, f - 1, *shape[1:]).transpose(1, 2)
        clip = self.clip(per_frame.flatten(1))
        out = {"points": points, "pose": pose, "motion": motion, MOVING: self.moving(clip)}
        out.update({name: head(clip) for name, head in self.facts.items()})
        return out


def _masked_l1(pred: torch.Tensor, target: torch.Tensor, beta: float) -> torch.Tensor:
    ok = torch.isfinite(target)
    if not ok.any():
        return pred.sum() * 0.0
    return F.smooth_l1_loss(pred[ok], target[ok], beta=beta)


def pretrain_loss(
    out: dict[str, torch.Tensor], points: torch.Tensor, pose: torch.Tensor, facts: dict[str, torch.Tensor], recipe
) -> tuple[torch.Tensor, dict[str, float]]:
    """Smooth-L1 on landmarks, body pose and (scaled) motion, cross-entropy on the facts; unknowns masked.

    ``recipe`` gives the weights (``motion_weight``, ``pose_weight``, ``fact_weight``).
    """
    position = _masked_l1(out["points"], points, 0.05)
    body = _masked_l1(out["pose"], pose, 0.05)
    scale = recipe.motion_weight
    motion = _masked_l1(out["motion"] * scale, velocities(points) * scale, 0.05)
    terms = []
    for name in FACTS:
        target = facts[name]
        if (target >= 0).any():
            terms.append(F.cross_entropy(out[name], target, ignore_index=-1))
    moving = facts[MOVING]
    ok = torch.isfinite(moving)
    if ok.any():
        terms.append(F.binary_cross_entropy_with_logits(out[MOVING][ok], moving[ok]))
    fact = torch.stack(terms).mean() if terms else position * 0.0
    total = position + motion + recipe.pose_weight * body + recipe.fact_weight * fact
    parts = {"position": position.item(), "pose": body.item(), "motion": motion.item(), "facts": fact.item()}
    return total, parts


def pose_error(pred: torch.Tensor, pose: torch.Tensor) -> torch.Tensor:
    """Per-clip mean absolute error of the body pose (coordinates and distances, body heights; NaN if none)."""
    diff = (pred - pose).abs()
    ok = torch.isfinite(diff)
    total = torch.where(ok, diff, torch.zeros_like(diff)).flatten(1).sum(1)
    count = ok.flatten(1).sum(1)
    return torch.where(count > 0, total / count.clamp_min(1), torch.full_like(total, math.nan))


def part_error(pred: torch.Tensor, points: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Per-clip mean image distance of predicted and drawn landmarks, in the clip's body heights (NaN if none)."""
    diff = (pred[..., :2] - points[..., :2]).norm(dim=-1)  # (B, P, F, L)
    ok = torch.isfinite(diff)
    total = torch.where(ok, diff, torch.zeros_like(diff)).flatten(1).sum(1)
    count = ok.flatten(1).sum(1)
    return torch.where(count > 0, total / count.clamp_min(1) / scale, torch.full_like(total, math.nan))


#: landmark order with left and right exchanged (head and pelvis stay)
MIRROR = [LANDMARKS.index(n.replace("left", "@").replace("right", "left").replace("@", "right")) for n in LANDMARKS]


def part_error_unsided(pred: torch.Tensor, points: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """As :func:`part_error`, but each frame may match the landmarks with left and right exchanged.

    The difference to :func:`part_error` is what telling the left limbs from the right ones costs:
    a render that colours depth, not sides, shows a person facing the camera and one facing away
    alike except for depth cues.
    """
    mirrored = points[..., MIRROR, :]
    same = (pred[..., :2] - points[..., :2]).norm(dim=-1)  # (B, P, F, L)
    swapped = (pred[..., :2] - mirrored[..., :2]).norm(dim=-1)
    ok = torch.isfinite(same) & torch.isfinite(swapped)
    per_frame = lambda d: torch.where(ok, d, torch.zeros_like(d)).sum(-1)  # noqa: E731
    best = torch.minimum(per_frame(same), per_frame(swapped))  # (B, P, F)
    count = ok.sum(-1).flatten(1).sum(1)
    total = best.flatten(1).sum(1)
    return torch.where(count > 0, total / count.clamp_min(1) / scale, torch.full_like(total, math.nan))


def fact_hits(out: dict[str, torch.Tensor], facts: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Per clip and fact: 1 right, 0 wrong, NaN unknown (``moving``: the share of the six parts right)."""
    hits = {}
    for name in FACTS:
        target = facts[name]
        right = (out[name].argmax(-1) == target).float()
        hits[name] = torch.where(target >= 0, right, torch.full_like(right, math.nan))
    moving = facts[MOVING]
    right = ((out[MOVING] > 0).float() == moving).float()
    hits[MOVING] = torch.where(torch.isfinite(moving), right, torch.full_like(right, math.nan)).nanmean(-1)
    return hits


def majority_hits(train: dict[str, torch.Tensor], test: dict[str, torch.Tensor]) -> dict[str, float]:
    """Accuracy of always answering the training set's most frequent value: the bar per fact."""
    out = {}
    for name in FACTS:
        known = train[name][train[name] >= 0]
        target = test[name][test[name] >= 0]
        if len(known) and len(target):
            out[name] = float((target == torch.mode(known).values).float().mean())
    moving_train, moving_test = train[MOVING], test[MOVING]
    if torch.isfinite(moving_train).any() and torch.isfinite(moving_test).any():
        common = (torch.nanmean(moving_train, 0) > 0.5).float()
        right = (moving_test == common).float()
        out[MOVING] = float(torch.where(torch.isfinite(moving_test), right, torch.nan).nanmean())
    return out
