"""Acclaim ASF/AMC motion capture (CMU mocap library, HDM05): forward kinematics to joints.

An ``.amc`` file holds Euler angles per bone and frame; the bones, their rest
directions, lengths and local axes are in an ``.asf`` skeleton file next to it.
Conventions (Acclaim ASF definition V1.10; CMU's and HDM05's readers):

- every bone ``j`` has a local frame ``C_j`` (its ``axis`` angles, composed in
  the axis order) and a rest vector ``direction * length`` in global space; its
  global rotation is ``R_j = R_parent @ C_j @ M_j @ C_j^-1`` with ``M_j`` the
  AMC angles composed in ``dof`` order, and its end sits at
  ``end_parent + R_j @ direction * (length + l)``;
- the root's rotation is ``C_root @ M_root @ C_root^-1`` with ``C_root`` from
  ``:root orientation`` and ``axis``; its position is ``:root position`` plus
  the AMC translation channels;
- an order ``XYZ`` rotates about x first, then y, then z: ``Rz @ Ry @ Rx``
  (checked against the HDM05 MoCap toolbox's joint trajectories, see
  docs/formats.md).

Joints: ``root`` and the end of every bone, named after the bone (``ltibia``
is the left ankle, ``head`` the top of the head), as the HDM05 toolbox lists
them. Lengths: the ASF ``:units length`` multiplier maps the Acclaim local unit,
the inch, to file values (``2.54`` = "data in cm, local units in inches"), so
metres are ``value / length * 0.0254`` (option ``units: file`` keeps raw values).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from skeletonllm.decode_budget import check_decoded_size, sequence_bytes
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import PluginOptions, SkeletonFormat
from skeletonllm.safe_read import check_input_file
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

from .amc_parse import AmcMotion, parse_amc
from .asf_amc_write import write_asf_amc
from .asf_parse import AsfSkeleton, decode, parse_asf, strip_line, tree_order
from .rotations import euler_to_matrix, matrix_to_quaternion
from .up_axis import UpAxisOption, sniff_up_axis

INCH = 0.0254
#: HDM05 names a clip ``HDM_<actor>_<motion>_<take>_<frame rate>.amc``: the last field is the rate
HDM05_NAME = re.compile(r"^HDM_[A-Za-z]+_.+_\d+_(\d+)$")


class AsfAmcOptions(PluginOptions):
    """Where the skeleton is, which units and axes, and the frame rate an AMC file does not record."""

    asf: Path | None = Field(None, description="the .asf skeleton; default: found next to the .amc")
    units: Literal["metres", "file"] = Field(
        "metres", description="metres: value / :units length x 0.0254 (Acclaim's local unit is the inch)"
    )
    fps: float | None = Field(None, gt=0, description="frame rate; default: from an HDM05 file name, else unknown")
    up_axis: UpAxisOption = Field("auto", description="auto: head-over-feet test on the joint names, else y")


def rotation(order: str, angles: np.ndarray) -> np.ndarray:
    """(T, 3, 3) rotations about the axes in ``order`` applied first to last (``XYZ`` -> Rz @ Ry @ Rx)."""
    if not order:
        return np.broadcast_to(np.eye(3), (len(angles), 3, 3)).copy()
    return euler_to_matrix(order[::-1], angles[:, ::-1])


def _degrees(values: np.ndarray, unit: str) -> np.ndarray:
    return np.rad2deg(values) if unit == "rad" else values


def forward_kinematics(skeleton: AsfSkeleton, motion: AmcMotion | None) -> tuple[np.ndarray, np.ndarray]:
    """Joint positions (T, J, 3) in file length units and global rotations (T, J, 3, 3); J = bones."""
    t_count = motion.num_frames if motion is not None else 1
    motion_unit = (motion.angle_unit if motion else None) or skeleton.angle_unit
    bones = skeleton.bones
    pos = np.zeros((t_count, len(bones), 3))
    rot = np.zeros((t_count, len(bones), 3, 3))
    for j in tree_order([b.parent for b in bones]):
        bone = bones[j]
        values = motion.values.get(bone.name) if motion is not None else None
        values = np.zeros((t_count, len(bone.dofs))) if values is None else values
        channels = {dof: values[:, i] for i, dof in enumerate(bone.dofs)}
        rot_dofs = [d for d in bone.dofs if d.startswith("r")]
        angles = np.stack([channels[d] for d in rot_dofs], axis=-1) if rot_dofs else np.zeros((t_count, 0))
        local = rotation("".join(d[1].upper() for d in rot_dofs), _degrees(angles, motion_unit))
        frame = rotation(bone.axis_order, _degrees(bone.axis[None], skeleton.angle_unit))[0]
        local = frame @ local @ frame.T
        shift = np.stack([channels.get(f"t{a}", np.zeros(t_count)) for a in "xyz"], axis=-1)
        if bone.parent < 0:
            rot[:, j] = local
            pos[:, j] = skeleton.root_position + shift
            continue
        rot[:, j] = rot[:, bone.parent] @ local
        start = pos[:, bone.parent] + np.einsum("tij,tj->ti", rot[:, bone.parent], shift @ frame.T)
        length = bone.length + channels.get("l", 0.0)
        pos[:, j] = start + np.einsum("tij,j->ti", rot[:, j], bone.direction) * np.reshape(length, (-1, 1))
    return pos, rot


def find_asf(amc: Path) -> Path:
    """The skeleton of ``amc``: ``<stem>.asf``, else the longest ``_``-prefix of the stem, else the only .asf."""
    folder = amc.parent
    asfs = {p.stem: p for p in folder.iterdir() if p.suffix.lower() == ".asf" and p.is_file()}
    parts = amc.stem.split("_")
    tried = ["_".join(parts[:k]) for k in range(len(parts), 0, -1)]
    for stem in tried:
        if stem in asfs:
            return asfs[stem]
    if len(asfs) == 1:
        return next(iter(asfs.values()))
    raise SkeletonDataError(
        f"no skeleton file for this motion: tried {', '.join(t + '.asf' for t in tried)} in {folder} "
        f"({len(asfs)} other .asf files there); set the format option asf: /path/to/skeleton.asf",
        source=amc,
        field="asf",
    )


def asf_topology(skeleton: AsfSkeleton, stem: str, source: Path) -> Topology:
    names = [b.name for b in skeleton.bones]
    parents = [b.parent for b in skeleton.bones]
    digest = hashlib.sha1("/".join(f"{n}:{p}" for n, p in zip(names, parents)).encode()).hexdigest()[:8]
    return Topology.from_parents(
        name=f"asf:{stem}:{digest}",
        joint_names=names,
        parents=parents,
        source=f"ASF skeleton {source}: root and the end of each bone",
    )


def _read_text(path: Path) -> str:
    check_input_file(path)  # the motion, or a skeleton named by the asf option: a named pipe would block
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SkeletonDataError(f"cannot read file: {exc.strerror or exc}", source=path) from None
    if not raw.strip():
        raise SkeletonDataError("empty file, expected Acclaim ASF/AMC text", source=path)
    return decode(raw, path)


def sniff_kind(head: bytes) -> str | None:
    """``"asf"``, ``"amc"`` or ``None`` from the first lines (comments skipped)."""
    words = []
    for line in head.decode("latin-1").splitlines()[:200]:
        toks = strip_line(line)
        if toks:
            words.append(toks)
    keys = {t[0].lower() for t in words if t[0].startswith(":")}
    if ":bonedata" in keys or (":root" in keys and (":units" in keys or ":version" in keys)):
        return "asf"
    if ":fully-specified" in keys:
        return "amc"
    for first, second in zip(words, words[1:]):
        if len(first) == 1 and first[0].isdigit() and second[0].lower() == "root" and len(second) > 1:
            try:
                [float(v) for v in second[1:]]
            except ValueError:
                return None
            return "amc"
    return None


class AsfAmcFormat(SkeletonFormat):
    """One person: positions and global bone rotations from an AMC motion and its ASF skeleton."""

    name: ClassVar[str] = "asf_amc"
    summary: ClassVar[str] = "Acclaim ASF/AMC motion capture (CMU, HDM05): Euler angles per bone, forward kinematics"
    Options: ClassVar[type[PluginOptions]] = AsfAmcOptions
    suffixes: ClassVar[tuple[str, ...]] = (".amc", ".asf")
    topology = None  # each skeleton file defines its own

    def sniff(self, path: Path, head: bytes) -> float:
        return 0.95 if sniff_kind(head) is not None else 0.0

    def read(self, path: Path) -> list[SkeletonSequence]:
        """An AMC file gives its motion; an ASF file alone gives the rest pose as one frame."""
        path = Path(path)
        text = _read_text(path)
        kind = sniff_kind(text[:4096].encode("latin-1", errors="replace"))
        if kind == "asf" or (kind is None and path.suffix.lower() == ".asf"):
            asf_path, asf_text, motion_text = path, text, None
        else:
            asf_path = Path(self.options.asf) if self.options.asf else find_asf(path)
            asf_text, motion_text = _read_text(asf_path), text
        skeleton = parse_asf(asf_path, asf_text)
        motion = parse_amc(path, motion_text, skeleton, asf_path) if motion_text is not None else None
        # bones without dofs cost no AMC text per frame but a full pose each in forward kinematics
        frames, bones = (motion.num_frames if motion else 1), len(skeleton.bones)
        size = path.stat().st_size + (asf_path.stat().st_size if asf_path != path else 0)  # both were read
        check_decoded_size(
            sequence_bytes(1, frames, bones, per_joint=9 * 8),
            path,
            f"{bones:,} bones x {frames:,} frames",
            file_size=size,
        )
        pos, rot = forward_kinematics(skeleton, motion)
        scale = INCH / skeleton.length_unit if self.options.units == "metres" else 1.0
        topology = asf_topology(skeleton, asf_path.stem, asf_path)
        up = self.options.up_axis
        topology = dataclasses.replace(
            topology, up_axis=sniff_up_axis(pos, topology.joint_names) if up == "auto" else up
        )
        meta = {
            "source": str(path),
            "asf": str(asf_path),
            "length_unit": skeleton.length_unit,
            "units": "m" if self.options.units == "metres" else "file",
            "fps_source": "option" if self.options.fps else "none (a skeleton file has no motion)",
        }
        fps = self.options.fps
        if fps is None and motion is not None:
            match = HDM05_NAME.match(path.stem)
            fps = float(match.group(1)) if match and 0 < int(match.group(1)) <= 10_000 else None
            meta["fps_source"] = "HDM05 file name" if fps else "unknown (an AMC file does not record it)"
        if motion is not None:
            meta["first_frame"] = motion.first_frame
        return [
            SkeletonSequence(
                positions=(pos * scale)[None],
                orientations=matrix_to_quaternion(rot)[None],
                topology=topology,
                fps=fps,
                meta=meta,
            )
        ]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """``path`` (.amc) and the skeleton ``<stem>.asf`` beside it; see :mod:`.asf_amc_write`."""
        path = Path(path)
        if path.suffix.lower() == ".asf":
            raise SkeletonDataError("give the .amc path; the .asf skeleton is written beside it", source=path)
        return write_asf_amc(sequence, path)
