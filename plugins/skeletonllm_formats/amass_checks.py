"""Checks on what an AMASS file and an SMPL-H body model hold, before any array is indexed.

Both files come from outside: the data file from a download, the body model
from whatever folder the user points at. A malformed array must be a
one-line error naming the file and the key, never an IndexError deep in
forward kinematics; a parent index that points forward or below zero would
give wrong joints *silently*, so it is refused too. And a string read from a
data file (``gender``) must never choose a path: only the known genders are
accepted, and the body-model file name is built from the allow-listed value.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from skeletonllm.errors import SkeletonDataError

#: the genders SMPL-H ships a model for; the only strings that may name a body-model file
GENDERS = ("female", "male", "neutral")
#: capture rates outside this range are a corrupt header, not a recording
MIN_FRAMERATE, MAX_FRAMERATE = 1.0, 10_000.0


def parse_gender(value: np.ndarray | None, path: Path) -> str:
    """The file's gender as one of ``GENDERS`` (default ``neutral``); anything else is refused."""
    if value is None:
        return "neutral"
    if value.size != 1 or value.dtype.kind not in "SUa":
        raise SkeletonDataError(
            f"gender must be one string, found an array of shape {value.shape} and dtype {value.dtype}",
            source=path,
            field="gender",
        )
    item = value.reshape(()).item()
    text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
    gender = text.strip().lower()
    if gender not in GENDERS:
        raise SkeletonDataError(f"gender {text[:40]!r} is not one of {', '.join(GENDERS)}", source=path, field="gender")
    return gender


def parse_framerate(value: np.ndarray, path: Path) -> float:
    """``mocap_framerate`` as a float in a plausible range; a string, an array or a negative rate is refused."""
    value = np.asarray(value)
    if value.size != 1 or value.dtype.kind not in "iuf":
        raise SkeletonDataError(
            f"mocap_framerate must be one number, found shape {value.shape} and dtype {value.dtype}",
            source=path,
            field="mocap_framerate",
        )
    fps = float(value.reshape(()))
    if not (math.isfinite(fps) and MIN_FRAMERATE <= fps <= MAX_FRAMERATE):
        raise SkeletonDataError(
            f"mocap_framerate {fps:g} is not a frame rate between {MIN_FRAMERATE:g} and {MAX_FRAMERATE:g}",
            source=path,
            field="mocap_framerate",
        )
    return fps


def as_float(value: np.ndarray, key: str, path: Path) -> np.ndarray:
    """A numeric array as float64; strings, objects and structured arrays are refused by name."""
    value = np.asarray(value)
    if value.dtype.kind not in "iufb":
        raise SkeletonDataError(f"{key} has dtype {value.dtype}, expected numbers", source=path, field=key)
    return value.astype(np.float64)


def check_parameters(poses: np.ndarray, trans: np.ndarray, betas: np.ndarray, path: Path) -> None:
    """``betas`` is one vector and every parameter is finite (a NaN pose would be a NaN joint)."""
    if betas.ndim != 1:
        raise SkeletonDataError(
            f"betas shape {betas.shape}, expected one vector (num_betas,)", source=path, field="betas"
        )
    for key, arr in (("poses", poses), ("trans", trans), ("betas", betas)):
        if not np.isfinite(arr).all():
            frame = int(np.argwhere(~np.isfinite(arr))[0][0]) if arr.ndim == 2 else None
            raise SkeletonDataError(f"{key} holds NaN or infinite values", source=path, frame=frame, field=key)


def check_body_model(model: dict[str, np.ndarray], joints: int, path: Path) -> np.ndarray:
    """Validate the arrays forward kinematics uses; returns the first ``joints`` parents (root = -1).

    Shapes: ``v_template`` (V, 3), ``shapedirs`` (V, 3, B), ``J_regressor`` (J, V),
    ``kintree_table`` (2, J) with J >= ``joints``. Each non-root parent must be an
    earlier joint, so the kinematic loop always has the parent's pose ready.
    """

    def fail(key: str, message: str) -> SkeletonDataError:
        return SkeletonDataError(message, source=path, field=key)

    numeric = {k: np.asarray(model[k]) for k in ("v_template", "shapedirs", "J_regressor", "kintree_table")}
    for key, arr in numeric.items():
        if arr.dtype.kind not in "iuf":
            raise fail(key, f"{key} has dtype {arr.dtype}, expected numbers")
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise fail(key, f"{key} holds NaN or infinite values")
    template, shapedirs = numeric["v_template"], numeric["shapedirs"]
    regressor, tree = numeric["J_regressor"], numeric["kintree_table"]
    if template.ndim != 2 or template.shape[1] != 3 or template.shape[0] < 1:
        raise fail("v_template", f"v_template shape {template.shape}, expected (vertices, 3)")
    vertices = template.shape[0]
    if shapedirs.ndim != 3 or shapedirs.shape[:2] != (vertices, 3):
        raise fail("shapedirs", f"shapedirs shape {shapedirs.shape}, expected ({vertices}, 3, num_betas)")
    if regressor.ndim != 2 or regressor.shape[1] != vertices or regressor.shape[0] < joints:
        raise fail(
            "J_regressor", f"J_regressor shape {regressor.shape}, expected (>= {joints} joints, {vertices} vertices)"
        )
    if tree.ndim != 2 or tree.shape[0] != 2 or tree.shape[1] < joints:
        raise fail("kintree_table", f"kintree_table shape {tree.shape}, expected (2, >= {joints} joints)")
    parents = tree[0, :joints].astype(np.int64)
    parents[0] = -1  # SMPL files mark the root with 2**32 - 1 or -1; either way it has no parent
    for j in range(1, joints):
        if not 0 <= parents[j] < j:
            raise fail(
                "kintree_table",
                f"joint {j} has parent {int(tree[0, j])}; a parent must be an earlier joint (0..{j - 1})",
            )
    return parents
