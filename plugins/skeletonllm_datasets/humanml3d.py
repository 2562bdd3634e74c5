"""HumanML3D: SMPL-22 joint motion (``new_joints``) with its text captions.

The download has ``new_joints/ID.npy``, ``texts/ID.txt`` (``caption#tokens#start#end``
lines) and ``train.txt`` / ``val.txt`` / ``test.txt`` id lists. There are no
classes: ``label`` is -1 and ``text`` holds the first caption; all captions
(the part before ``#``, so without the POS tokens) are in ``meta['references']``
(and, under their older name, ``meta['captions']``), which captioning stages and
metrics score against.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property, partial
from pathlib import Path
from typing import ClassVar

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Dataset, Sample
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_formats.humanml3d import HumanMl3dFormat

from .splitting import SkipReport, parse_split

PARTS = ("train", "val", "test")


class HumanMl3dOptions(PluginOptions):
    """``root``: the HumanML3D folder holding ``new_joints/``, ``texts/`` and the split lists."""

    root: Path


def read_captions(path: Path) -> list[str]:
    """Captions of one motion: the text before the first ``#`` of each non-empty line."""
    out = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SkeletonDataError(f"byte {exc.start} is not UTF-8 text", source=path, field="caption") from None
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        caption = line.split("#", 1)[0].strip()
        if not caption:
            raise SkeletonDataError("empty caption", source=path, line=i, field="caption")
        out.append(caption)
    if not out:
        raise SkeletonDataError("no caption lines", source=path)
    return out


def _load(path: Path, sample_id: str, captions: list[str]) -> SkeletonSequence:
    seq = HumanMl3dFormat().read(path)[0]
    seq.meta.update(id=sample_id, label=-1, text=captions[0], captions=captions)
    return seq


class HumanMl3dDataset(Dataset):
    name: ClassVar[str] = "humanml3d"
    summary: ClassVar[str] = "HumanML3D: SMPL-22 motion with text captions"
    Options: ClassVar[type[PluginOptions]] = HumanMl3dOptions

    @property
    def class_names(self) -> list[str]:
        return []

    def protocols(self) -> list[str]:
        return ["default"]

    def protocol_description(self, protocol: str) -> str:
        return "HumanML3D's own train/test lists" if protocol == "default" else ""

    @cached_property
    def _root(self) -> Path:
        root = Path(self.options.root)
        for sub in ("new_joints", "texts"):
            if not (root / sub).is_dir():
                raise SkeletonDataError(
                    f"humanml3d: {root / sub} not found (expected new_joints/ and texts/)", source=root
                )
        return root

    def _ids(self, part: str) -> list[str]:
        path = self._root / f"{part}.txt"
        if not path.is_file():
            raise SkeletonDataError(f"humanml3d: split list {path} not found", source=path)
        return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), {}, parts=PARTS)
        if classes is not None:
            raise SkeletonDataError("humanml3d has no classes to filter by (it is captioned motion)", field="classes")
        report = SkipReport(what=f"{request.part} motions")
        out = []
        for mid in self._ids(request.part):
            report.total += 1
            joints, text = self._root / "new_joints" / f"{mid}.npy", self._root / "texts" / f"{mid}.txt"
            if not joints.is_file() or not text.is_file():
                report.add(mid, "missing " + ("new_joints file" if not joints.is_file() else "texts file"))
                continue
            try:
                captions = read_captions(text)
            except SkeletonDataError as exc:
                report.add(mid, exc.message)
                continue
            out.append(
                Sample(
                    mid,
                    -1,
                    partial(_load, joints, mid, captions),
                    text=captions[0],
                    meta={"captions": captions, "references": captions},
                )
            )
        report.print()
        return iter(out)
