"""The parametric humanoid: a kinematic tree posed by per-joint rotations.

Motion is defined once, on this body, as local joint rotations; every output
topology (Kinect v2/v1, SMPL-22, COCO-17, BVH) is a *view* of the same forward
kinematics, so one seed gives the same motion everywhere. Rotations (rather
than positions) are the primary data because BVH needs them and because
global orientations then come for free.

Body frame: metres, y up, z forward (the way the body faces), x to the body's
left (right-handed, as SMPL). The rest pose stands upright, arms hanging, so
an all-zero pose is a natural neutral stance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (name, parent, rest offset from the parent in the parent's frame, proportion group)
_JOINTS: tuple[tuple[str, str | None, tuple[float, float, float], str], ...] = (
    ("pelvis", None, (0.0, 0.0, 0.0), "torso"),
    ("spine1", "pelvis", (0.0, 0.10, -0.01), "torso"),
    ("spine2", "spine1", (0.0, 0.12, 0.0), "torso"),
    ("spine3", "spine2", (0.0, 0.12, 0.01), "torso"),
    ("neck", "spine3", (0.0, 0.14, -0.01), "torso"),
    ("neck_upper", "neck", (0.0, 0.06, 0.01), "head"),
    ("head", "neck_upper", (0.0, 0.10, 0.01), "head"),
    ("nose", "head", (0.0, -0.01, 0.10), "head"),
    ("l_eye", "head", (0.032, 0.025, 0.08), "head"),
    ("r_eye", "head", (-0.032, 0.025, 0.08), "head"),
    ("l_ear", "head", (0.075, 0.0, 0.0), "head"),
    ("r_ear", "head", (-0.075, 0.0, 0.0), "head"),
    ("l_collar", "spine3", (0.06, 0.11, -0.01), "torso"),
    ("l_shoulder", "l_collar", (0.12, 0.0, -0.01), "arm"),
    ("l_elbow", "l_shoulder", (0.0, -0.28, 0.0), "arm"),
    ("l_wrist", "l_elbow", (0.0, -0.25, 0.0), "arm"),
    ("l_hand", "l_wrist", (0.0, -0.07, 0.0), "arm"),
    ("l_handtip", "l_hand", (0.0, -0.08, 0.0), "arm"),
    ("l_thumb", "l_hand", (0.0, -0.02, 0.05), "arm"),
    ("r_collar", "spine3", (-0.06, 0.11, -0.01), "torso"),
    ("r_shoulder", "r_collar", (-0.12, 0.0, -0.01), "arm"),
    ("r_elbow", "r_shoulder", (0.0, -0.28, 0.0), "arm"),
    ("r_wrist", "r_elbow", (0.0, -0.25, 0.0), "arm"),
    ("r_hand", "r_wrist", (0.0, -0.07, 0.0), "arm"),
    ("r_handtip", "r_hand", (0.0, -0.08, 0.0), "arm"),
    ("r_thumb", "r_hand", (0.0, -0.02, 0.05), "arm"),
    ("l_hip", "pelvis", (0.09, -0.06, 0.0), "leg"),
    ("l_knee", "l_hip", (0.0, -0.41, 0.0), "leg"),
    ("l_ankle", "l_knee", (0.0, -0.40, -0.01), "leg"),
    ("l_foot", "l_ankle", (0.0, -0.05, 0.13), "leg"),
    ("r_hip", "pelvis", (-0.09, -0.06, 0.0), "leg"),
    ("r_knee", "r_hip", (0.0, -0.41, 0.0), "leg"),
    ("r_ankle", "r_knee", (0.0, -0.40, -0.01), "leg"),
    ("r_foot", "r_ankle", (0.0, -0.05, 0.13), "leg"),
)

JOINT_NAMES: tuple[str, ...] = tuple(j[0] for j in _JOINTS)
JOINT_INDEX: dict[str, int] = {n: i for i, n in enumerate(JOINT_NAMES)}
PARENTS: tuple[int, ...] = tuple(-1 if p is None else JOINT_INDEX[p] for _, p, _, _ in _JOINTS)
REST_OFFSETS = np.array([j[2] for j in _JOINTS], dtype=np.float64)
GROUPS: tuple[str, ...] = tuple(j[3] for j in _JOINTS)
NUM_JOINTS = len(JOINT_NAMES)


@dataclass(frozen=True)
class Body:
    """Proportions of one performer: overall height scale and per-part scales.

    Drawn from the *subject* seed only, so a train/test split by subject
    really puts differently built bodies into the test set.
    """

    height: float = 1.0
    torso: float = 1.0
    head: float = 1.0
    arm: float = 1.0
    leg: float = 1.0
    shoulder_width: float = 1.0

    @classmethod
    def random(cls, rng: np.random.Generator) -> Body:
        """Height 1.50-1.95 m (scale around a 1.72 m rest body) and parts +-15 %."""
        return cls(
            height=float(rng.uniform(1.50, 1.95) / 1.72),
            torso=float(rng.uniform(0.85, 1.15)),
            head=float(rng.uniform(0.85, 1.15)),
            arm=float(rng.uniform(0.85, 1.15)),
            leg=float(rng.uniform(0.85, 1.15)),
            shoulder_width=float(rng.uniform(0.85, 1.15)),
        )

    def offsets(self) -> np.ndarray:
        """Rest offsets ``(J, 3)`` scaled by this body's proportions."""
        scale = {"torso": self.torso, "head": self.head, "arm": self.arm, "leg": self.leg}
        out = REST_OFFSETS.copy()
        for j, group in enumerate(GROUPS):
            out[j] *= scale[group] * self.height
        for name in ("l_collar", "r_collar", "l_shoulder", "r_shoulder", "l_hip", "r_hip"):
            out[JOINT_INDEX[name], 0] *= self.shoulder_width
        return out


def euler_to_matrix(angles_deg: np.ndarray) -> np.ndarray:
    """``(..., 3)`` angles (rx, ry, rz) in degrees -> ``(..., 3, 3)`` ``Rz @ Rx @ Ry``.

    The order twists a bone about its own axis first (y, the bone direction
    in the rest pose), then flexes it forward/back (x), then swings it
    sideways (z), which keeps hand-written key poses readable.
    """
    a = np.deg2rad(np.asarray(angles_deg, dtype=np.float64))
    cx, sx = np.cos(a[..., 0]), np.sin(a[..., 0])
    cy, sy = np.cos(a[..., 1]), np.sin(a[..., 1])
    cz, sz = np.cos(a[..., 2]), np.sin(a[..., 2])
    one, zero = np.ones_like(cx), np.zeros_like(cx)
    rx = np.stack([one, zero, zero, zero, cx, -sx, zero, sx, cx], -1).reshape(a.shape[:-1] + (3, 3))
    ry = np.stack([cy, zero, sy, zero, one, zero, -sy, zero, cy], -1).reshape(a.shape[:-1] + (3, 3))
    rz = np.stack([cz, -sz, zero, sz, cz, zero, zero, zero, one], -1).reshape(a.shape[:-1] + (3, 3))
    return rz @ rx @ ry


def yaw_matrix(yaw_deg: float) -> np.ndarray:
    """Rotation about the vertical axis (positive turns +z towards +x)."""
    a = np.deg2rad(yaw_deg)
    return np.array([[np.cos(a), 0.0, np.sin(a)], [0.0, 1.0, 0.0], [-np.sin(a), 0.0, np.cos(a)]])


def forward_kinematics(
    local: np.ndarray, root_rotation: np.ndarray, root_position: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Global positions ``(T, J, 3)`` and rotations ``(T, J, 3, 3)``.

    ``local`` ``(T, J, 3, 3)`` are rotations relative to the parent (the
    root's entry is ignored in favour of ``root_rotation`` ``(T, 3, 3)``).
    """
    t = local.shape[0]
    rot = np.empty((t, NUM_JOINTS, 3, 3))
    pos = np.empty((t, NUM_JOINTS, 3))
    for j, p in enumerate(PARENTS):  # parents always precede children in _JOINTS
        if p < 0:
            rot[:, j] = root_rotation @ local[:, j]
            pos[:, j] = root_position
        else:
            rot[:, j] = rot[:, p] @ local[:, j]
            pos[:, j] = pos[:, p] + np.einsum("tab,b->ta", rot[:, p], offsets[j])
    return pos, rot


def matrix_to_quaternion(m: np.ndarray) -> np.ndarray:
    """``(..., 3, 3)`` rotation matrices -> ``(..., 4)`` unit quaternions w, x, y, z (w >= 0)."""
    m = np.asarray(m, dtype=np.float64)
    tr = m[..., 0, 0] + m[..., 1, 1] + m[..., 2, 2]
    cand = np.stack(
        [
            np.stack([1 + tr, m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] - m[..., 0, 1]], -1),
            np.stack([m[..., 2, 1] - m[..., 1, 2], 1 + 2 * m[..., 0, 0] - tr, m[..., 0, 1] + m[..., 1, 0], m[..., 0, 2] + m[..., 2, 0]], -1),
            np.stack([m[..., 0, 2] - m[..., 2, 0], m[..., 0, 1] + m[..., 1, 0], 1 + 2 * m[..., 1, 1] - tr, m[..., 1, 2] + m[..., 2, 1]], -1),
            np.stack([m[..., 1, 0] - m[..., 0, 1], m[..., 0, 2] + m[..., 2, 0], m[..., 1, 2] + m[..., 2, 1], 1 + 2 * m[..., 2, 2] - tr], -1),
        ],
        axis=-2,
    )  # fmt: skip
    # Pick the numerically best of the four classic formulas per matrix.
    diag = np.stack([tr, m[..., 0, 0], m[..., 1, 1], m[..., 2, 2]], -1)
    best = np.argmax(diag, axis=-1)
    q = np.take_along_axis(cand, best[..., None, None], axis=-2)[..., 0, :]
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    q *= np.where(q[..., :1] < 0, -1.0, 1.0)
    return q
