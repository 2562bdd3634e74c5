"""Rotation maths shared by the BVH and AMASS readers, vectorised over frames.

Kept in one place so both kinematic readers agree on conventions: rotation
matrices act on column vectors, quaternions are (w, x, y, z), and a chain of
Euler channels ``Z Y X`` means ``R = Rz @ Ry @ Rx`` (the BVH convention).
"""

from __future__ import annotations

import numpy as np


def axis_rotation(axis: str, degrees: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotations about ``axis`` ('X', 'Y' or 'Z') by ``degrees``."""
    rad = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    c, s = np.cos(rad), np.sin(rad)
    one, zero = np.ones_like(rad), np.zeros_like(rad)
    if axis == "X":
        rows = [[one, zero, zero], [zero, c, -s], [zero, s, c]]
    elif axis == "Y":
        rows = [[c, zero, s], [zero, one, zero], [-s, zero, c]]
    elif axis == "Z":
        rows = [[c, -s, zero], [s, c, zero], [zero, zero, one]]
    else:
        raise ValueError(f"unknown axis {axis!r}")
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def euler_to_matrix(order: str, degrees: np.ndarray) -> np.ndarray:
    """(N, 3, 3) from (N, len(order)) angles applied in channel order (``R = R_0 @ R_1 @ ...``)."""
    n = degrees.shape[0]
    out = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    for i, axis in enumerate(order):
        out = out @ axis_rotation(axis, degrees[:, i])
    return out


def matrix_to_euler_zyx(rot: np.ndarray) -> np.ndarray:
    """(N, 3) Z, Y, X angles in degrees such that ``Rz @ Ry @ Rx == rot`` (inverse of the BVH ZYX chain)."""
    sy = np.clip(-rot[:, 2, 0], -1.0, 1.0)
    y = np.arcsin(sy)
    cy = np.cos(y)
    regular = cy > 1e-6
    z = np.where(regular, np.arctan2(rot[:, 1, 0], rot[:, 0, 0]), np.arctan2(-rot[:, 0, 1], rot[:, 1, 1]))
    x = np.where(regular, np.arctan2(rot[:, 2, 1], rot[:, 2, 2]), 0.0)
    return np.rad2deg(np.stack([z, y, x], axis=-1))


def axis_angle_to_matrix(vec: np.ndarray) -> np.ndarray:
    """(N, 3, 3) from (N, 3) axis-angle vectors (Rodrigues), exact at zero angle."""
    vec = np.asarray(vec, dtype=np.float64)
    angle = np.linalg.norm(vec, axis=-1, keepdims=True)
    safe = np.where(angle > 1e-12, angle, 1.0)
    k = vec / safe
    kx, ky, kz = k[:, 0], k[:, 1], k[:, 2]
    zero = np.zeros_like(kx)
    cross = np.stack(
        [np.stack([zero, -kz, ky], -1), np.stack([kz, zero, -kx], -1), np.stack([-ky, kx, zero], -1)], axis=-2
    )
    s = np.sin(angle)[..., None]
    c = np.cos(angle)[..., None]
    eye = np.eye(3)[None]
    return eye + s * cross + (1.0 - c) * (cross @ cross)


def matrix_to_quaternion(rot: np.ndarray) -> np.ndarray:
    """(..., 4) w,x,y,z unit quaternions with w >= 0 from (..., 3, 3) rotation matrices."""
    m = np.asarray(rot, dtype=np.float64)
    shape = m.shape[:-2]
    m = m.reshape(-1, 3, 3)
    trace = m[:, 0, 0] + m[:, 1, 1] + m[:, 2, 2]
    # Candidates for 4w^2, 4x^2, 4y^2, 4z^2; use the largest for numerical stability.
    cand = np.stack(
        [1 + trace, 1 + m[:, 0, 0] - m[:, 1, 1] - m[:, 2, 2], 1 - m[:, 0, 0] + m[:, 1, 1] - m[:, 2, 2],
         1 - m[:, 0, 0] - m[:, 1, 1] + m[:, 2, 2]],
        axis=-1,
    )  # fmt: skip
    best = np.argmax(cand, axis=-1)
    q = np.empty((m.shape[0], 4))
    big = np.sqrt(np.maximum(cand[np.arange(len(best)), best], 1e-300)) * 2.0  # 4 * component
    w_r = best == 0
    x_r = best == 1
    y_r = best == 2
    z_r = best == 3
    q[w_r] = np.stack([big[w_r] / 4, (m[w_r, 2, 1] - m[w_r, 1, 2]) / big[w_r], (m[w_r, 0, 2] - m[w_r, 2, 0]) / big[w_r],
                       (m[w_r, 1, 0] - m[w_r, 0, 1]) / big[w_r]], -1)  # fmt: skip
    q[x_r] = np.stack([(m[x_r, 2, 1] - m[x_r, 1, 2]) / big[x_r], big[x_r] / 4, (m[x_r, 0, 1] + m[x_r, 1, 0]) / big[x_r],
                       (m[x_r, 0, 2] + m[x_r, 2, 0]) / big[x_r]], -1)  # fmt: skip
    q[y_r] = np.stack([(m[y_r, 0, 2] - m[y_r, 2, 0]) / big[y_r], (m[y_r, 0, 1] + m[y_r, 1, 0]) / big[y_r], big[y_r] / 4,
                       (m[y_r, 1, 2] + m[y_r, 2, 1]) / big[y_r]], -1)  # fmt: skip
    q[z_r] = np.stack([(m[z_r, 1, 0] - m[z_r, 0, 1]) / big[z_r], (m[z_r, 0, 2] + m[z_r, 2, 0]) / big[z_r],
                       (m[z_r, 1, 2] + m[z_r, 2, 1]) / big[z_r], big[z_r] / 4], -1)  # fmt: skip
    q *= np.where(q[:, :1] < 0, -1.0, 1.0)
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    return q.reshape(*shape, 4)


def quaternion_to_matrix(q: np.ndarray) -> np.ndarray:
    """(..., 3, 3) from (..., 4) w,x,y,z quaternions (normalised first)."""
    q = np.asarray(q, dtype=np.float64)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
            np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
            np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )
