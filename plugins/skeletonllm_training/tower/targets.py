"""What a vision tower is asked to read from a rendered clip, computed from the joints alone.

Two kinds of target, both free for every clip of every format:

- **per frame**, where the ten landmarks of :mod:`..landmarks` are drawn: ``(u, v)``
  in the frame (``[-1, 1]``, from ``Renderer.project``) and depth relative to the
  figure, for up to two persons (ordered left to right in the picture, so "the
  first person" is defined by what the frame shows); and their velocities between
  consecutive sampled frames. A landmark a layout lacks, or a masked joint, is NaN
  and masked out of the loss.
- **per clip**, the kinematic facts the teacher reads (:func:`..kinematics.analyse`)
  as class indices: which parts move, on which side, along which axis and which
  way, how fast, how often, hands meeting or at the head, lowering, leaving the
  ground, travelling, a second person. ``-1`` means unknown (the clip has no
  describable person) and is ignored.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

from ..body import PARTS, body_frame
from ..kinematic_teacher import pace
from ..kinematics import AIRBORNE, LOWERING, analyse
from ..landmarks import LANDMARKS, landmarks

#: persons whose landmarks are targets (two-person datasets have two; more are ignored)
PERSONS = 2
#: a travel of at least this many body heights counts (the teacher's threshold)
TRAVEL = 0.15

#: single-label facts -> their classes (index = target value); ``moving`` is multi-label over PARTS
FACTS: dict[str, tuple[str, ...]] = {
    "side": ("none", "left", "right", "both"),
    "axis": ("up", "left", "forward"),
    "direction": ("up", "down", "left", "right", "forward", "backward"),
    "speed": ("slowly", "at a moderate pace", "fast"),
    "repetitions": ("1", "2", "3", "4+"),
    "hands_meet": ("no", "yes"),
    "hand_near_head": ("none", "left", "right", "both"),
    "lowering": ("no", "yes"),
    "airborne": ("no", "yes"),
    "travel": ("none", "forward", "backward", "left", "right"),
    "two_persons": ("no", "yes"),
}
MOVING = "moving"


def _landmark_tracks(values: torch.Tensor, topology: Topology) -> torch.Tensor:
    """``(B, M, F, V, C)`` -> ``(B, PERSONS, F, L, C)``: each landmark as the mean of its joints, NaN if absent."""
    b, m, f, _v, c = values.shape
    out = torch.full((b, PERSONS, f, len(LANDMARKS), c), math.nan, dtype=torch.float32)
    found = landmarks(topology)
    for slot, name in enumerate(LANDMARKS):
        joints = found.get(name)
        if joints:
            out[:, : min(m, PERSONS), :, slot] = values[:, :PERSONS, :, list(joints)].float().mean(-2)
    return out


def landmark_points(projected: torch.Tensor, topology: Topology, size: int) -> torch.Tensor:
    """``(B, M, F, V, 3)`` projections -> ``(B, PERSONS, F, L, 3)`` landmarks, u and v in [-1, 1], NaN if absent.

    Depth is relative to the clip's median joint depth, so it says what is in front
    of the figure, not how far the camera stood. Persons are in batch order; see
    :func:`left_to_right` for the order the targets use.
    """
    b = projected.shape[0]
    depth = projected[..., 2].reshape(b, -1)
    centre = torch.nanmedian(depth, dim=1).values.nan_to_num(0.0).reshape(b, 1, 1, 1)
    points = projected.clone().float()
    points[..., :2] = points[..., :2] / size * 2.0 - 1.0
    points[..., 2] = points[..., 2] - centre
    return _landmark_tracks(points, topology)


def left_to_right(points: torch.Tensor, *others: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Swap the two persons of a clip where the second one stands further left in the picture.

    ``points`` are image landmarks; ``others`` (per-person targets of the same clips) swap with them.
    """
    mean_u = torch.nanmean(points[..., 0].flatten(2), dim=-1)  # (B, PERSONS)
    swap = (mean_u[:, 1] < mean_u[:, 0]).nonzero().flatten()
    out = [points.clone(), *(o.clone() for o in others)]
    for tensor in out:
        if len(swap):
            tensor[swap] = tensor[swap].flip(1)
    return tuple(out)


#: per-frame view-independent pose: body-frame landmark coordinates (up, left, forward) and pairwise distances
PAIRS = [(i, j) for i in range(len(LANDMARKS)) for j in range(i + 1, len(LANDMARKS))]
POSE_SIZE = 3 * len(LANDMARKS) + len(PAIRS)


def body_pose(positions: torch.Tensor, mask: torch.Tensor, topology: Topology) -> torch.Tensor:
    """``(B, M, F, V, C)`` joints -> ``(B, PERSONS, F, POSE_SIZE)``: the pose as the body sees it, in body heights.

    Each landmark relative to the pelvis along the person's own up, left and forward
    (:func:`..body.body_frame`: the same from any camera), then the distances between
    every two landmarks. Unlike the picture, these do not change with the viewpoint, so a
    tower that predicts them has to see past the camera. In 2D (no depth) the forward
    coordinate and the distances are NaN (not observed). Persons in batch order.
    """
    b, m, f = positions.shape[:3]
    tracks = _landmark_tracks(torch.where(mask.unsqueeze(-1), positions, torch.nan), topology).double()
    out = torch.full((b, PERSONS, f, POSE_SIZE), math.nan, dtype=torch.float32)
    for i in range(b):
        for p in range(min(m, PERSONS)):
            valid = mask[i, p].numpy()
            if valid.sum() < 2:
                continue
            joints = positions[i, p].double().numpy()
            frame = body_frame(topology, joints, valid)
            ups = [np.ptp(joints[t, valid[t]] @ frame.up) for t in range(f) if valid[t].sum() >= 2]
            height = float(np.percentile(ups, 90)) if ups else 0.0
            if height <= 0:
                continue
            track = tracks[i, p].numpy() / height  # (F, L, C)
            rel = track - track[:, LANDMARKS.index("pelvis") : LANDMARKS.index("pelvis") + 1]
            axes = [frame.up, frame.left, frame.forward]
            coords = np.stack([rel @ a if a is not None else np.full(rel.shape[:2], np.nan) for a in axes], -1)
            pieces = [coords.reshape(f, -1)]
            if topology.dims == 3:
                pieces.append(np.stack([np.linalg.norm(track[:, a] - track[:, c], axis=-1) for a, c in PAIRS], -1))
            else:
                pieces.append(np.full((f, len(PAIRS)), np.nan))
            out[i, p] = torch.from_numpy(np.concatenate(pieces, -1)).float()
    return out


def velocities(points: torch.Tensor) -> torch.Tensor:
    """``(..., F, L, 3)`` -> ``(..., F - 1, L, 3)``: the change between consecutive sampled frames (NaN-propagating)."""
    return points[..., 1:, :, :] - points[..., :-1, :, :]


def body_scale(points: torch.Tensor) -> torch.Tensor:
    """``(B,)``: the first person's height in the picture (90th percentile over frames of head-to-foot extent).

    Position errors are divided by it, so they read in body heights whatever the framing.
    """
    v = points[:, 0, :, :, 1]  # (B, F, L)
    extent = torch.nan_to_num(v, nan=-math.inf).amax(-1) - torch.nan_to_num(v, nan=math.inf).amin(-1)
    extent = torch.where(torch.isfinite(extent), extent, torch.full_like(extent, math.nan))
    scale = torch.nanquantile(extent, 0.9, dim=1)
    return torch.nan_to_num(scale, nan=1.0).clamp_min(1e-3)


def clip_facts(sequence: SkeletonSequence) -> dict[str, int | list[float]]:
    """The per-clip targets of :data:`FACTS` (and the ``moving`` multi-hot) of one whole clip."""
    try:
        facts = analyse(sequence)
    except SkeletonLLMError:
        return {**{k: -1 for k in FACTS}, MOVING: [math.nan] * len(PARTS)}
    person, main = facts.main, facts.main.main
    travel = {k: v for k, v in person.travel.items() if abs(v) >= TRAVEL}
    if travel:
        axis = max(travel, key=lambda k: abs(travel[k]))
        way = {"forward": ("forward", "backward"), "left": ("left", "right")}[axis][0 if travel[axis] > 0 else 1]
    else:
        way = "none"
    values = {
        "side": person.side,
        "axis": main.axis,
        "direction": main.net,
        "speed": pace(main.speed),
        "repetitions": str(main.repetitions) if main.repetitions < 4 else "4+",
        "hands_meet": "yes" if person.hands_meet else "no",
        "hand_near_head": person.hand_near_head or "none",
        "lowering": "yes" if person.lowering >= LOWERING else "no",
        "airborne": "yes" if person.airborne >= AIRBORNE else "no",
        "travel": way,
        "two_persons": "yes" if len(facts.persons) >= 2 else "no",
    }
    out: dict[str, int | list[float]] = {k: FACTS[k].index(v) for k, v in values.items()}
    out[MOVING] = [1.0 if part in person.moving else 0.0 for part in PARTS]
    return out


def stack_facts(rows: list[dict[str, int | list[float]]]) -> dict[str, torch.Tensor]:
    """Per-clip fact dicts -> ``{fact: (N,) long}`` and ``{moving: (N, len(PARTS)) float}``."""
    out = {k: torch.tensor([int(r[k]) for r in rows], dtype=torch.long) for k in FACTS}
    out[MOVING] = torch.tensor(np.asarray([r[MOVING] for r in rows], dtype=np.float32))
    return out
