"""Topology-agnostic motion features for the text-motion evaluator.

HumanML3D's evaluator reads one fixed 263-d SMPL representation; ours must
read any skeleton (Kinect 20/25 joints, SMPL-22, COCO-17 in 2D, a BVH
hierarchy) in any unit, up axis and facing. So a clip is reduced to the six
body parts every built-in topology names in ``Topology.groups`` (head,
torso, both arms, both legs; a file-defined layout without groups, such as a
BVH hierarchy, gets them from its joint names as the kinematic facts do,
``body.body_parts``):

1. per frame, each part's centroid and its *tip* (the member joint farthest
   from the torso on average: wrist/hand, foot, head), from visible joints
   only (``mask``);
2. a body frame estimated from the clip itself: *up* from the legs to the
   head, *lateral* from the left parts to the right parts; positions are
   expressed in it, so yaw, camera tilt and the file's up axis drop out
   while left and right stay apart (which side waved is in the caption);
3. everything divided by the body's size (torso-to-head distance plus
   hip-to-foot distance), so units and body height drop out;
4. resampled to ``FRAMES`` steps over the clip; the clip's real duration
   (``log`` seconds) is kept as one more channel, since speed is in the
   captions too.

A second performer (two-person actions) is expressed in the first one's
frame and relative to the first one's torso; a single performer leaves
those channels at zero with a presence flag of 0. 2D skeletons get a zero
third coordinate.
"""

from __future__ import annotations

import numpy as np

from skeletonllm.errors import SkeletonDataError
from skeletonllm.sequence import SkeletonSequence

from ..body import body_parts

PARTS = ("head", "torso", "left_arm", "right_arm", "left_leg", "right_leg")
FRAMES = 64
PERSONS = 2
PER_PERSON = len(PARTS) * 2 * 3 + 3  # centroid and tip of each part, plus the torso's travel
CHANNELS = PERSONS * PER_PERSON + 2  # + presence of the second performer + log duration


def _groups(seq: SkeletonSequence) -> list[np.ndarray]:
    groups = body_parts(seq.topology)  # the topology's groups, or parts read from joint names (BVH, ASF)
    missing = [p for p in PARTS if not groups.get(p)]
    if missing:
        raise SkeletonDataError(
            f"topology {seq.topology.name!r} names no joints for body parts {missing}; the text-motion "
            f"evaluator needs the groups {', '.join(PARTS)} (see Topology.groups; without groups, joint names "
            "with side and limb words)",
            source=seq.meta.get("source"),
            field="groups",
        )
    return [np.asarray(groups[p], dtype=int) for p in PARTS]


def _part_points(pos: np.ndarray, vis: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """``(T, parts, 2, 3)``: centroid and tip of each part from visible joints (gaps filled in time)."""
    t = pos.shape[0]
    out = np.zeros((t, len(groups), 2, 3), np.float64)
    seen = np.zeros((t, len(groups)), bool)
    torso = None
    for k, joints in enumerate(groups):
        w = vis[:, joints].astype(np.float64)  # (T, n)
        count = w.sum(1)
        centroid = (pos[:, joints] * w[..., None]).sum(1) / np.maximum(count, 1)[:, None]
        out[:, k, 0], seen[:, k] = centroid, count > 0
        if k == 1:
            torso = centroid
    for k, joints in enumerate(groups):
        w = vis[:, joints]
        reach = np.linalg.norm(pos[:, joints] - torso[:, None], axis=-1)
        reach = np.where(w, reach, np.nan)
        if np.all(np.isnan(reach)):
            tip = joints[0]
        else:
            tip = joints[int(np.nanargmax(np.nanmean(reach, axis=0)))]
        tip_pos = np.where(vis[:, tip, None], pos[:, tip], out[:, k, 0])
        out[:, k, 1] = tip_pos
    # fill frames where a whole part is missing with the nearest frame where it was seen
    for k in range(len(groups)):
        if seen[:, k].any() and not seen[:, k].all():
            idx = np.where(seen[:, k], np.arange(t), -1)
            idx = np.maximum.accumulate(idx)
            first = int(np.argmax(seen[:, k]))
            idx[idx < 0] = first
            out[:, k] = out[idx, k]
    return out


def _body_frame(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Rows (lateral, up, forward) of an orthonormal body frame, and the body's size."""
    centroid = points[:, :, 0].mean(0)  # (parts, 3)
    head, torso, l_arm, r_arm, l_leg, r_leg = centroid
    up = head - 0.5 * (l_leg + r_leg)
    if np.linalg.norm(up) < 1e-8:
        up = head - torso
    up = up / max(np.linalg.norm(up), 1e-8)
    lateral = (r_arm + r_leg) - (l_arm + l_leg)
    lateral = lateral - up * (lateral @ up)
    if np.linalg.norm(lateral) < 1e-8:  # degenerate (e.g. all joints on a line): any perpendicular
        lateral = np.cross(up, [0.0, 0.0, 1.0] if abs(up[2]) < 0.9 else [1.0, 0.0, 0.0])
    lateral = lateral / np.linalg.norm(lateral)
    forward = np.cross(lateral, up)
    tips = points[:, :, 1].mean(0)
    size = np.linalg.norm(head - torso) + 0.5 * (np.linalg.norm(tips[4] - l_leg) + np.linalg.norm(tips[5] - r_leg))
    size += np.linalg.norm(0.5 * (l_leg + r_leg) - torso)
    return np.stack([lateral, up, forward]), float(max(size, 1e-6))


def _resample(x: np.ndarray, frames: int) -> np.ndarray:
    t = x.shape[0]
    if t == 1:
        return np.repeat(x, frames, axis=0)
    grid = np.linspace(0.0, t - 1, frames)
    lo = np.floor(grid).astype(int)
    hi = np.minimum(lo + 1, t - 1)
    frac = (grid - lo)[:, None]
    return x[lo] * (1 - frac) + x[hi] * frac


def motion_features(seq: SkeletonSequence, frames: int = FRAMES) -> np.ndarray:
    """``(frames, CHANNELS)`` float32 features of ``seq`` (see the module docstring)."""
    groups = _groups(seq)
    pos = np.asarray(seq.positions, np.float64)
    if pos.shape[-1] == 2:
        pos = np.concatenate([pos, np.zeros(pos.shape[:-1] + (1,))], axis=-1)
    vis = np.asarray(seq.mask, bool) if seq.mask is not None else np.ones(pos.shape[:3], bool)
    people = [p for p in range(pos.shape[0]) if vis[p].any()][:PERSONS]
    if not people:
        raise SkeletonDataError("no visible joint in any frame", source=seq.meta.get("source"), field="mask")
    points = [_part_points(pos[p], vis[p], groups) for p in people]
    axes, size = _body_frame(points[0])
    torso = points[0][:, 1, 0]  # (T, 3): the first performer's torso centroid
    per_person = []
    for pts in points:
        rel = (pts - torso[:, None, None]) @ axes.T / size  # (T, parts, 2, 3)
        travel = (pts[:, 1, 0] - torso[0]) @ axes.T / size  # the torso's path from the first frame
        per_person.append(np.concatenate([rel.reshape(len(rel), -1), travel], axis=1))
    t = pos.shape[1]
    while len(per_person) < PERSONS:
        per_person.append(np.zeros((t, PER_PERSON)))
    fps = seq.fps if seq.fps and seq.fps > 0 else 30.0
    duration = np.log(max(t / fps, 1e-2))
    extra = np.tile([float(len(points) > 1), duration], (t, 1))
    return _resample(np.concatenate(per_person + [extra], axis=1), frames).astype(np.float32)


__all__ = ["CHANNELS", "FRAMES", "PARTS", "motion_features"]
