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
    """(..., 4) w,x,y,z unit quaternions with w >= 0 from (..., 3, 3) rotation matrices.

    Uses the largest of 4w², 4x², 4y², 4z² as the divisor (Shepperd's method),
    so the result stays accurate near 180-degree rotations where w -> 0.
    """
    m = np.asarray(rot, dtype=np.float64)
    shape = m.shape[:-2]
    m = m.reshape(-1, 3, 3)
    m00, m11, m22 = m[:, 0, 0], m[:, 1, 1], m[:, 2, 2]
    squares = np.stack([1 + m00 + m11 + m22, 1 + m00 - m11 - m22, 1 - m00 + m11 - m22, 1 - m00 - m11 + m22], -1)
    # Sums and differences of off-diagonal pairs: each candidate row is 4 * (w, x, y, z) * (its big component).
    d21, d02, d10 = m[:, 2, 1] - m[:, 1, 2], m[:, 0, 2] - m[:, 2, 0], m[:, 1, 0] - m[:, 0, 1]
    s10, s20, s21 = m[:, 1, 0] + m[:, 0, 1], m[:, 0, 2] + m[:, 2, 0], m[:, 1, 2] + m[:, 2, 1]
    rows = np.stack(
        [
            np.stack([squares[:, 0], d21, d02, d10], -1),
            np.stack([d21, squares[:, 1], s10, s20], -1),
            np.stack([d02, s10, squares[:, 2], s21], -1),
            np.stack([d10, s20, s21, squares[:, 3]], -1),
        ],
        axis=1,
    )
    best = np.argmax(squares, axis=-1)
    q = rows[np.arange(len(best)), best]
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    q *= np.where(q[:, :1] < 0, -1.0, 1.0)
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
