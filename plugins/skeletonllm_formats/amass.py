"""AMASS SMPL-H ``.npz``: recognised, explained, and turned into joints when a body model is given.

AMASS stores body-model parameters, not joints: ``poses`` (T, 156) axis-angle
(root 3 + body 63 + hands 90), ``trans`` (T, 3), ``betas``, ``gender``,
``mocap_framerate``. Joints need the SMPL-H model (MPI licence, not
downloadable here), so without ``body_model`` the reader stops with an
explanation. With it: ``J = J_regressor @ (v_template + shapedirs . betas)``
and forward kinematics with the axis-angle poses give the 22 body joints
(the same 22 HumanML3D uses); pose blend shapes move vertices, not joints,
so they are not needed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import ClassVar

import numpy as np

from skeletonllm.decode_budget import check_decoded_size, sequence_bytes
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import PluginOptions, SkeletonFormat
from skeletonllm.safe_read import check_input_file
from skeletonllm.sequence import SkeletonSequence

from ._text import one_line
from .amass_checks import GENDERS, as_float, check_body_model, check_parameters, parse_framerate, parse_gender
from .rotations import axis_angle_to_matrix, matrix_to_quaternion
from .topologies import SMPL22_Z_UP

BODY_JOINTS = 22
REQUIRED_KEYS = ("poses", "trans", "betas", "mocap_framerate")
MODEL_KEYS = ("v_template", "shapedirs", "J_regressor", "kintree_table")


class AmassOptions(PluginOptions):
    """``body_model``: an SMPL-H ``model.npz``, or a folder holding ``<gender>/model.npz``."""

    body_model: Path | None = None


def _member_header(zf: zipfile.ZipFile, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype a ``.npy`` member declares, read from its header only."""
    with zf.open(name) as fh:
        version = np.lib.format.read_magic(fh)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _fortran, dtype = read_header(fh)
    return shape, dtype


def _load_npz(path: Path, what: str, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The members ``keys`` of an ``.npz`` (those present), and nothing else.

    Before anything is decompressed, the members' uncompressed sizes (from the zip
    directory) and the arrays their headers declare are checked against the file's
    decode budget: an unused member that inflates to gigabytes is never read, and a
    used one that would is refused with one line.
    """
    check_input_file(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = {n[: -len(".npy")]: zf.getinfo(n) for n in zf.namelist() if n.endswith(".npy")}
            wanted = [k for k in keys if k in members]
            declared = 0
            for key in wanted:
                shape, dtype = _member_header(zf, members[key].filename)
                count = int(np.prod(shape, dtype=object)) if shape else 1
                declared += max(members[key].file_size, count * dtype.itemsize)
            check_decoded_size(declared, path, f"{what} members {', '.join(wanted)}")
            out = {}
            for key in wanted:
                with zf.open(members[key]) as fh:
                    out[key] = np.lib.format.read_array(fh, allow_pickle=False)
            return out
    except SkeletonDataError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise SkeletonDataError(
                f"{what} holds pickled objects, which are not loaded ({one_line(exc)})", source=path
            ) from None
        raise SkeletonDataError(
            f"unreadable {what} (truncated or not an .npz): {type(exc).__name__}: {one_line(exc)}", source=path
        ) from None
    except Exception as exc:  # noqa: BLE001 - zip, zlib, header and OS errors all mean a broken file here
        raise SkeletonDataError(
            f"unreadable {what} (truncated or not an .npz): {type(exc).__name__}: {one_line(exc)}", source=path
        ) from None


def _model_path(option: Path, gender: str) -> Path:
    """The body-model file for ``gender``, which must be one of ``GENDERS`` (never a path from a file)."""
    if gender not in GENDERS:
        raise SkeletonDataError(f"gender {gender[:40]!r} is not one of {', '.join(GENDERS)}", field="gender")
    if option.is_file():
        return option
    tried = [option / gender / "model.npz", option / f"{gender}.npz", option / "neutral" / "model.npz"]
    for candidate in tried:
        if candidate.is_file():
            return candidate
    raise SkeletonDataError(
        f"no SMPL-H body model found; tried {', '.join(map(str, tried))}", source=option, field="body_model"
    )


def body_joints(
    model: dict[str, np.ndarray],
    poses: np.ndarray,
    trans: np.ndarray,
    betas: np.ndarray,
    parents: np.ndarray | None = None,
) -> tuple:
    """(T, 22, 3) joint positions and (T, 22, 3, 3) global rotations by SMPL joint regression + FK.

    ``parents`` come from ``check_body_model`` (which the reader calls with the model's path);
    without them the model is checked here.
    """
    num_betas = min(betas.shape[0], model["shapedirs"].shape[-1])
    v_shaped = model["v_template"] + model["shapedirs"][..., :num_betas] @ betas[:num_betas]
    rest = (model["J_regressor"] @ v_shaped)[:BODY_JOINTS]
    if parents is None:
        parents = check_body_model(model, BODY_JOINTS, Path("SMPL-H body model"))
    t_count = poses.shape[0]
    local = axis_angle_to_matrix(poses[:, : BODY_JOINTS * 3].reshape(-1, 3)).reshape(t_count, BODY_JOINTS, 3, 3)
    pos = np.zeros((t_count, BODY_JOINTS, 3))
    rot = np.zeros((t_count, BODY_JOINTS, 3, 3))
    for j in range(BODY_JOINTS):
        p = int(parents[j]) if j > 0 else -1
        if p < 0:
            rot[:, j] = local[:, j]
            pos[:, j] = rest[j] + trans
        else:
            rot[:, j] = rot[:, p] @ local[:, j]
            pos[:, j] = pos[:, p] + np.einsum("tij,j->ti", rot[:, p], rest[j] - rest[p])
    return pos, rot


class AmassFormat(SkeletonFormat):
    """SMPL-22 joints from AMASS parameters, given a licensed SMPL-H body model."""

    name: ClassVar[str] = "amass"
    summary: ClassVar[str] = "AMASS SMPL-H .npz (needs a licensed body model for joints)"
    Options: ClassVar[type[PluginOptions]] = AmassOptions
    suffixes: ClassVar[tuple[str, ...]] = (".npz",)
    topology = SMPL22_Z_UP  # AMASS is z-up

    def sniff(self, path: Path, head: bytes) -> float:
        if not head.startswith(b"PK\x03\x04"):
            return 0.0
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except Exception:  # noqa: BLE001 - a sniffer answers "no", it never crashes
            return 0.0
        if {"poses.npy", "trans.npy"} <= names:
            return 0.95 if "mocap_framerate.npy" in names else 0.8
        return 0.0

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        data = _load_npz(path, "AMASS file", (*REQUIRED_KEYS, "gender"))
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise SkeletonDataError(
                f"missing keys {missing}; an AMASS file has {', '.join(REQUIRED_KEYS)}", source=path, field=missing[0]
            )
        poses, trans, betas = (as_float(data[k], k, path) for k in ("poses", "trans", "betas"))
        if poses.ndim != 2 or poses.shape[1] < BODY_JOINTS * 3 or poses.shape[0] < 1:
            raise SkeletonDataError(f"poses shape {poses.shape}, expected (frames, >= 66)", source=path, field="poses")
        if trans.shape != (poses.shape[0], 3):
            raise SkeletonDataError(
                f"trans shape {trans.shape}, expected {(poses.shape[0], 3)}", source=path, field="trans"
            )
        check_parameters(poses, trans, betas, path)
        gender = parse_gender(data.get("gender"), path)
        fps = parse_framerate(data["mocap_framerate"], path)
        if self.options.body_model is None:
            raise SkeletonDataError(
                f"AMASS stores SMPL-H parameters ({poses.shape[0]} frames at {fps:g} fps, gender {gender}), not joints; "
                "turning them into joints needs the licensed SMPL-H body model (https://mano.is.tue.mpg.de). "
                "Download it yourself and set the format option body_model: /path/to/smplh/<gender>/model.npz "
                "(or the folder holding <gender>/model.npz)",
                source=path,
                field="body_model",
            )
        model_path = _model_path(Path(self.options.body_model), gender)
        model = _load_npz(model_path, "SMPL-H body model", MODEL_KEYS)
        absent = [k for k in MODEL_KEYS if k not in model]
        if absent:
            raise SkeletonDataError(f"body model lacks {absent}", source=model_path, field=absent[0])
        parents = check_body_model(model, BODY_JOINTS, model_path)
        frames = poses.shape[0]
        check_decoded_size(
            sequence_bytes(1, frames, BODY_JOINTS, per_joint=9 * 8), path, f"{frames:,} frames x {BODY_JOINTS} joints"
        )
        pos, rot = body_joints(model, poses, trans, betas, parents)
        return [
            SkeletonSequence(
                positions=pos[None],
                orientations=matrix_to_quaternion(rot)[None],
                topology=SMPL22_Z_UP,
                fps=fps,
                meta={"source": str(path), "gender": gender, "body_model": str(model_path), "betas": betas},
            )
        ]
