"""Rotation helpers shared by the BVH and AMASS readers: conventions and round trips."""

from __future__ import annotations

import numpy as np

from skeletonllm_formats.rotations import (
    axis_angle_to_matrix,
    euler_to_matrix,
    matrix_to_euler_zyx,
    matrix_to_quaternion,
    quaternion_to_matrix,
)


def test_quaternion_round_trip_including_half_turns() -> None:
    rng = np.random.default_rng(0)
    q = rng.normal(size=(500, 4))
    q[:20, 0] = 0.0  # 180-degree rotations, where w = 0 and naive formulas divide by zero
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    back = matrix_to_quaternion(quaternion_to_matrix(q))
    np.testing.assert_allclose(np.abs((q * back).sum(-1)), 1.0, atol=1e-12)
    assert (back[:, 0] >= 0).all()


def test_euler_zyx_round_trip_and_channel_order() -> None:
    rng = np.random.default_rng(1)
    angles = np.stack([rng.uniform(-179, 179, 300), rng.uniform(-89, 89, 300), rng.uniform(-179, 179, 300)], -1)
    np.testing.assert_allclose(matrix_to_euler_zyx(euler_to_matrix("ZYX", angles)), angles, atol=1e-9)
    rz = euler_to_matrix("Z", np.array([[90.0]]))[0]
    rx = euler_to_matrix("X", np.array([[90.0]]))[0]
    np.testing.assert_allclose(euler_to_matrix("ZX", np.array([[90.0, 90.0]]))[0], rz @ rx, atol=1e-12)
    np.testing.assert_allclose(rz @ [1, 0, 0], [0, 1, 0], atol=1e-12)  # right-handed, column vectors


def test_axis_angle_matches_euler() -> None:
    vec = np.array([[0, 0, np.pi / 2], [np.pi / 3, 0, 0], [0, 0, 0]])
    expected = np.stack(
        [euler_to_matrix("Z", np.array([[90.0]]))[0], euler_to_matrix("X", np.array([[60.0]]))[0], np.eye(3)]
    )
    np.testing.assert_allclose(axis_angle_to_matrix(vec), expected, atol=1e-12)
