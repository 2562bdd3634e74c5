"""Write SynthAct clips as real files through the format plugins' writers.

Used by ``skeletonllm synth``. Clip ``k`` is SynthAct sample ``k // len(actions)``
of action ``k % len(actions)`` (same seeds and performers as the ``synthetic``
dataset), so a folder written here is the benchmark, file for file. File names
follow each format's convention where it has one (NTU ``SsssCcccPpppRrrrAaaa``
with the NTU class id, PKU-MMD ``XXXX-V``, HumanML3D ``new_joints/ID.npy`` with
``texts/ID.txt`` and split lists); ``labels.csv`` lists file, action, label,
NTU id, performer, seed and the xsub part of every clip.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from skeletonllm.errors import SkeletonDataError, SkeletonLLMError
from skeletonllm.interfaces import SkeletonFormat
from skeletonllm.registry import get_registry
from skeletonllm.sequence import SkeletonSequence

from . import ACTIONS, TWO_PERSON_ACTIONS, generate, ntu_id
from .dataset import is_test_subject
from .describe import clip_facts, describe
from .generator import check_frames
from .views import VIEWS

#: formats whose file defines its skeleton, written in another view than the generator's own humanoid:
#: a PYSKL pickle holds NTU's Kinect v2 skeletons, as PYSKL ships them
PREFERRED_VIEWS: dict[str, str] = {"pyskl_pickle": "kinect_v2"}
SUBJECTS = 16  # performers, as in the default SynthAct


def writer_view(fmt: str, writer: SkeletonFormat) -> str:
    """The generator's view (``VIEWS``) a format writes: its topology's, or the full humanoid when the file
    defines the skeleton (BVH, containers). Any registered writer works, third-party ones included."""
    if fmt in PREFERRED_VIEWS:
        return PREFERRED_VIEWS[fmt]
    topology = writer.topology
    if topology is None:
        return "bvh"
    for name, (view, _, _) in VIEWS.items():
        if view.joint_names == topology.joint_names and view.dims == topology.dims:
            return name
    raise SkeletonLLMError(
        f"synth cannot write {fmt!r}: its topology {topology.name!r} ({topology.num_joints} joints, "
        f"{topology.dims}D) is none the SynthAct generator emits ({', '.join(VIEWS)})"
    )


def holds_two_persons(writer: SkeletonFormat, view: str, suffix: str) -> bool:
    """Whether the writer accepts a two-person clip (writers refuse what their files cannot hold)."""
    clip = generate(sorted(TWO_PERSON_ACTIONS)[0], view, 0, frames=4, randomize=False)
    with tempfile.TemporaryDirectory() as folder:
        try:
            writer.write(clip, Path(folder) / f"two_persons{suffix}")
        except SkeletonDataError:
            return False
    return True


@dataclass(frozen=True)
class Clip:
    """One clip to write: which action, which sample of it, its seed and performer."""

    index: int
    action: str
    label: int
    sample: int
    seed: int
    subject: int

    @property
    def part(self) -> str:
        return "test" if is_test_subject(self.subject) else "train"


def plan(n: int, seed: int, actions: Sequence[str]) -> list[Clip]:
    """The ``n`` clips, cycling through ``actions`` with SynthAct's seeds and performers."""
    out = []
    for k in range(n):
        action = actions[k % len(actions)]
        c, i = ACTIONS.index(action), k // len(actions)
        out.append(Clip(k, action, c, i, seed * 1_000_003 + c * 10_007 + i, 1 + i % SUBJECTS))
    return out


def file_stem(fmt: str, clip: Clip) -> str:
    """The name the format's users expect; unique within one export."""
    if fmt == "ntu_skeleton":
        setup, replication = 1 + clip.sample // (2 * SUBJECTS), 1 + (clip.sample // SUBJECTS) % 2
        return f"S{setup:03d}C001P{clip.subject:03d}R{replication:03d}A{ntu_id(clip.action):03d}"
    if fmt == "pku_mmd":
        return f"{clip.index + 1:04d}-M"
    if fmt == "humanml3d":
        return f"{clip.index:06d}"
    slug = re.sub(r"[^a-z0-9]+", "_", clip.action.lower()).strip("_")
    return f"{clip.index:05d}_{slug}"


def _for_writer(fmt: str, seq: SkeletonSequence, clip: Clip, stem: str) -> SkeletonSequence:
    """Only the meta a writer understands: SynthAct labels are not NW-UCLA or NTU labels."""
    seq.meta = {"source": f"synthact:{clip.action}:seed{clip.seed}"}
    if fmt == "pyskl_pickle":
        seq.meta.update(frame_dir=stem, label=clip.label)
    if fmt == "nw_ucla":
        seq.meta["file_name"] = stem
    return seq


def write_synthetic(
    fmt: str,
    n: int,
    seed: int,
    out_dir: Path,
    actions: Sequence[str] | None = None,
    frames: int | None = None,
    randomize: bool = True,
    progress=iter,  # noqa: ANN001 - e.g. skeletonllm.progress.progress
) -> tuple[list[Path], list[str]]:
    """Write ``n`` clips in format ``fmt``; returns the files and the notes for the summary line."""
    check_frames(frames)  # before the first clip: 10 million frames would be gigabytes per clip
    registry = get_registry()
    writer = registry.create("format", fmt)
    if not writer.can_write:
        writers = ", ".join(i.name for i in registry.infos("format") if i.cls.can_write)
        raise SkeletonLLMError(f"format plugin {fmt!r} has no writer; formats that write: {writers}")
    topology = writer_view(fmt, writer)
    suffix = writer.suffixes[0] if writer.suffixes else ".dat"
    two_person = holds_two_persons(writer, topology, suffix)
    chosen = list(actions) if actions else list(ACTIONS)
    unknown = [a for a in chosen if a not in ACTIONS]
    if unknown:
        raise SkeletonLLMError(f"unknown synthetic actions {unknown}; actions: {', '.join(ACTIONS)}")
    notes = []
    if not two_person:
        dropped = [a for a in chosen if a in TWO_PERSON_ACTIONS]
        chosen = [a for a in chosen if a not in TWO_PERSON_ACTIONS]
        if dropped:
            notes.append(f"left out two-person actions ({', '.join(dropped)}): {fmt} holds one person")
    if not chosen:
        raise SkeletonLLMError(f"no actions left to write in {fmt}")
    out_dir = Path(out_dir)
    target = out_dir / "new_joints" if fmt == "humanml3d" else out_dir
    target.mkdir(parents=True, exist_ok=True)
    files, rows, captions = [], [], {}
    for clip in progress(plan(n, seed, chosen)):
        stem = file_stem(fmt, clip)
        seq = generate(
            clip.action, topology, clip.seed, frames=frames, randomize=randomize, subject=seed * 1_000 + clip.subject
        )
        path = writer.write(_for_writer(fmt, seq, clip, stem), target / f"{stem}{suffix}")
        files.append(path)
        if fmt == "humanml3d":
            facts = clip_facts(clip.action, clip.seed, randomize, subject=seed * 1_000 + clip.subject)
            captions[path.stem] = describe(facts, clip.seed)
        rows.append(
            [
                path.relative_to(out_dir).as_posix(),
                clip.action,
                clip.label,
                ntu_id(clip.action),
                clip.subject,
                clip.seed,
                clip.part,
            ]
        )
    if fmt == "humanml3d":
        _humanml3d_extras(out_dir, rows, captions)
    with open(out_dir / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "action", "label", "ntu_id", "subject", "seed", "xsub"])
        w.writerows(rows)
    return files, notes


def _humanml3d_extras(out_dir: Path, rows: list[list], captions: dict[str, list[str]]) -> None:
    """``texts/ID.txt`` captions and ``train/test/all.txt`` lists, so the humanml3d dataset reads the folder.

    The first caption names the action; the clip's three per-clip descriptions
    (speed, side, amplitude, repetitions: ``describe.py``) follow, as further
    HumanML3D caption lines.
    """
    (out_dir / "texts").mkdir(exist_ok=True)
    parts: dict[str, list[str]] = {"train": [], "test": [], "all": []}
    for file, action, *_, part in rows:
        mid = Path(file).stem
        lines = [f"a person performs {action}."] + captions.get(mid, [])
        (out_dir / "texts" / f"{mid}.txt").write_text("".join(f"{c}#\n" for c in lines), encoding="utf-8")
        parts[part].append(mid)
        parts["all"].append(mid)
    for part, ids in parts.items():
        (out_dir / f"{part}.txt").write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    (out_dir / "val.txt").write_text("", encoding="utf-8")
