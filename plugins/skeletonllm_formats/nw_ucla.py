"""NW-UCLA ``all_sqe`` JSON as pre-processed by CTR-GCN (Kinect v1, 20 joints).

``{"file_name": "aAA_sSS_eEE_vVV", "skeletons": T x 20 x [x, y, z], "label": 1..10}``.
The a/s/e/v codes (action, subject, environment, view) go into ``meta``;
``label`` stays as in the file (1-based) and ``label_index`` is 0-based.
The file does not record a frame rate, so ``fps`` is ``None``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import NoOptions, PluginOptions, SkeletonFormat
from skeletonllm.sequence import SkeletonSequence

from ._text import numeric_array, read_json
from .topologies import KINECT_V1

NUM_JOINTS = 20
NAME_PATTERN = re.compile(r"a(\d+)_s(\d+)_e(\d+)_v(\d+)")
#: a-code order that defines labels 1..10 (CTR-GCN NW-UCLA loader)
ACTION_CODES = (1, 2, 3, 4, 5, 6, 8, 9, 11, 12)


def name_fields(file_name: str) -> dict[str, int]:
    match = NAME_PATTERN.search(file_name)
    if not match:
        return {}
    return dict(zip(("action", "subject", "environment", "view"), map(int, match.groups())))


def _skeletons(value: object, path: Path) -> np.ndarray:
    """(T, 20, 3) float64; a malformed frame is named by its index (null becomes NaN, a missing joint)."""
    if not isinstance(value, list) or not value:
        raise SkeletonDataError("expected a non-empty list of frames (T x 20 x 3)", source=path, field="skeletons")
    for t, frame in enumerate(value):
        if not isinstance(frame, list) or len(frame) != NUM_JOINTS:
            got = len(frame) if isinstance(frame, list) else type(frame).__name__
            raise SkeletonDataError(f"{got} joints, expected {NUM_JOINTS}", source=path, frame=t, field="skeletons")
        for j, joint in enumerate(frame):
            if not isinstance(joint, list) or len(joint) != 3:
                raise SkeletonDataError(
                    f"joint {j} is {joint!r:.40}, expected [x, y, z]", source=path, frame=t, field="skeletons"
                )
    return numeric_array(value, (NUM_JOINTS, 3), path, "skeletons")


class NwUclaFormat(SkeletonFormat):
    """One person per file; the label and name codes are kept in ``meta``."""

    name: ClassVar[str] = "nw_ucla"
    summary: ClassVar[str] = "NW-UCLA all_sqe JSON (Kinect v1, 20 joints)"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".json",)
    topology = KINECT_V1

    def sniff(self, path: Path, head: bytes) -> float:
        text = head.lstrip()
        if not text.startswith(b"{") or b'"skeletons"' not in head:
            return 0.0
        return 0.95 if b'"file_name"' in head else 0.8

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        doc = read_json(path)
        if not isinstance(doc, dict) or "skeletons" not in doc:
            raise SkeletonDataError('expected a JSON object with a "skeletons" list', source=path, field="skeletons")
        xyz = _skeletons(doc["skeletons"], path)
        file_name = doc.get("file_name", path.stem)
        if not isinstance(file_name, str):
            raise SkeletonDataError(f"expected a string, got {file_name!r}", source=path, field="file_name")
        meta: dict = {"source": str(path), "file_name": file_name, **name_fields(file_name)}
        if "label" in doc:
            label = doc["label"]
            if isinstance(label, bool) or not isinstance(label, int) or not 1 <= label <= len(ACTION_CODES):
                raise SkeletonDataError(f"expected an integer 1..10, got {label!r}", source=path, field="label")
            meta["label"] = label
            meta["label_index"] = label - 1
        return [SkeletonSequence(positions=xyz[None], topology=KINECT_V1, fps=None, meta=meta)]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """One person; missing joints are written as ``null`` and read back as missing."""
        path = Path(path)
        seq = sequence
        if seq.num_joints != NUM_JOINTS or seq.dims != 3 or seq.num_persons != 1:
            raise SkeletonDataError(
                f"nw_ucla writes one person of 20 joints in 3D, got {seq.num_persons} x {seq.num_joints} in "
                f"{seq.dims}D",
                source=path,
            )
        pos = seq.positions[0].astype(np.float64)
        skeletons = [
            [
                [float(np.float32(c)) for c in pos[t, j]] if seq.mask[0, t, j] else [None, None, None]
                for j in range(NUM_JOINTS)
            ]
            for t in range(seq.num_frames)
        ]
        file_name = str(seq.meta.get("file_name", path.stem))
        doc: dict = {"file_name": file_name, "skeletons": skeletons}
        label = seq.meta.get("label")
        if label is None and "action" in seq.meta and seq.meta["action"] in ACTION_CODES:
            label = ACTION_CODES.index(seq.meta["action"]) + 1
        if label is not None:
            doc["label"] = int(label)
        with atomic_write(path) as tmp:
            tmp.write_text(json.dumps(doc), encoding="utf-8")
        return path
