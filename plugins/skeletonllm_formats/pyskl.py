"""PYSKL annotation pickles: ``{'split': {...}, 'annotations': [ann, ...]}``, one sequence per annotation.

Layout: kennymckormick/pyskl ``tools/data/README.md``. ``keypoint`` is
(M, T, V, C); ``keypoint_score`` (M, T, V) is present for 2D. The topology
follows from (V, C): 17 x 2 is COCO-17, 25 x 3 is Kinect v2. PYSKL pads
absent persons with zeros; an all-zero person in a frame is mask False.
Files are read with :mod:`.safe_pickle`, never ``pickle.load``.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.decode_budget import check_decoded_size, sequence_bytes
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import PluginOptions, SkeletonFormat
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology

from .safe_pickle import safe_load
from .topologies import COCO17, KINECT_V2

#: (joints, coordinates) -> topology; anything else is refused with this list
TOPOLOGY_BY_SHAPE: dict[tuple[int, int], Topology] = {(17, 2): COCO17, (25, 3): KINECT_V2}


class PysklOptions(PluginOptions):
    """The pickle does not record a frame rate; NTU-derived files are 30 fps."""

    fps: float | None = 30.0


def _annotation(ann: Any, index: int, path: Path, splits: dict[str, list[str]], fps: float | None) -> SkeletonSequence:
    where = f"annotations[{index}]"
    if not isinstance(ann, dict):
        raise SkeletonDataError("expected a dict", source=path, field=where)
    kp = ann.get("keypoint")
    if not isinstance(kp, np.ndarray):
        raise SkeletonDataError(
            "no 'keypoint' array (K400-style files with raw_file/frame_inds hold no poses)",
            source=path,
            field=f"{where}.keypoint",
        )
    if kp.ndim != 4 or kp.dtype.kind not in "fiu":
        raise SkeletonDataError(
            f"expected a numeric (M, T, V, C) array, got {kp.dtype} {kp.shape}", source=path, field=f"{where}.keypoint"
        )
    m, t, v, c = kp.shape
    topology = TOPOLOGY_BY_SHAPE.get((v, c))
    if topology is None:
        known = ", ".join(f"V={a}, C={b} ({tp.name})" for (a, b), tp in TOPOLOGY_BY_SHAPE.items())
        raise SkeletonDataError(
            f"keypoint has V={v}, C={c}; expected one of {known}", source=path, field=f"{where}.keypoint"
        )
    total = ann.get("total_frames", t)
    if isinstance(total, bool) or not isinstance(total, (int, np.integer)) or int(total) != t:
        raise SkeletonDataError(
            f"total_frames {total!r} does not match the keypoint array's {t} frames",
            source=path,
            field=f"{where}.total_frames",
        )
    score = ann.get("keypoint_score")
    if score is not None and (
        not isinstance(score, np.ndarray) or score.shape != (m, t, v) or score.dtype.kind not in "fiu"
    ):
        raise SkeletonDataError(
            f"expected an (M, T, V) = {(m, t, v)} array, got {getattr(score, 'shape', type(score).__name__)}",
            source=path,
            field=f"{where}.keypoint_score",
        )
    if m == 0 or t == 0:
        raise SkeletonDataError(f"empty keypoint array {kp.shape}", source=path, field=f"{where}.keypoint")
    kp = kp.astype(np.float64)
    present = np.any(kp != 0, axis=(2, 3)) & ~np.all(np.isnan(kp), axis=(2, 3))
    frame_dir = str(ann.get("frame_dir", f"{path.stem}_{index}"))
    meta: dict[str, Any] = {
        "source": str(path),
        "frame_dir": frame_dir,
        "annotation_index": index,
        "splits": sorted(name for name, members in splits.items() if frame_dir in members),
    }
    try:
        if "label" in ann:
            meta["label"] = int(ann["label"])
        for key in ("img_shape", "original_shape"):
            if key in ann:
                meta[key] = tuple(int(x) for x in ann[key])
    except (TypeError, ValueError, OverflowError):
        raise SkeletonDataError(
            "label must be an integer and img_shape/original_shape integer pairs", source=path, field=where
        ) from None
    return SkeletonSequence(
        positions=kp,
        topology=topology,
        fps=fps,
        mask=np.broadcast_to(present[..., None], (m, t, v)),
        confidence=None if score is None else score.astype(np.float32),
        meta=meta,
    )


class PysklPickleFormat(SkeletonFormat):
    """Many sequences per file; the split membership of each goes into ``meta['splits']``."""

    name: ClassVar[str] = "pyskl_pickle"
    summary: ClassVar[str] = "PYSKL annotation pickle (keypoint M,T,V,C), read with an allow-listed unpickler"
    Options: ClassVar[type[PluginOptions]] = PysklOptions
    suffixes: ClassVar[tuple[str, ...]] = (".pkl", ".pickle")
    topology = None  # chosen per annotation from (V, C)

    def sniff(self, path: Path, head: bytes) -> float:
        if len(head) < 2 or head[0] != 0x80 or head[1] > 5:
            return 0.0
        return 0.9 if b"annotations" in head or b"keypoint" in head else 0.5

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        doc = safe_load(path)
        if isinstance(doc, list):  # some PYSKL tools dump the bare annotation list
            doc = {"split": {}, "annotations": doc}
        if not isinstance(doc, dict) or not isinstance(doc.get("annotations"), list):
            raise SkeletonDataError("expected {'split': ..., 'annotations': [...]}", source=path, field="annotations")
        splits = doc.get("split") or {}
        if not isinstance(splits, dict):
            raise SkeletonDataError("expected a dict of split name -> frame_dir list", source=path, field="split")
        splits = {str(k): set(map(str, v)) for k, v in splits.items() if isinstance(v, (list, tuple, set))}
        if not doc["annotations"]:
            raise SkeletonDataError("no annotations", source=path, field="annotations")
        shapes = [getattr(a.get("keypoint"), "shape", ()) for a in doc["annotations"] if isinstance(a, dict)]
        total = sum(sequence_bytes(s[0], s[1], s[2], s[3]) for s in shapes if len(s) == 4)
        check_decoded_size(total, path, f"{len(doc['annotations']):,} annotations", field="annotations")
        fps = self.options.fps
        return [_annotation(ann, i, path, splits, fps) for i, ann in enumerate(doc["annotations"])]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """One annotation; absent persons are zeros and missing joints NaN, as ``read`` expects."""
        path = Path(path)
        seq = sequence
        if (seq.num_joints, seq.dims) not in TOPOLOGY_BY_SHAPE:
            raise SkeletonDataError(
                f"pyskl_pickle writes 17 x 2D or 25 x 3D keypoints, got {seq.num_joints} x {seq.dims}D", source=path
            )
        present = seq.person_present[..., None, None]
        kp = np.where(seq.mask[..., None], seq.positions, np.nan)
        kp = np.where(present, kp, 0.0).astype(np.float32)
        frame_dir = str(seq.meta.get("frame_dir", path.stem))
        ann: dict[str, Any] = {"frame_dir": frame_dir, "total_frames": seq.num_frames, "keypoint": kp}
        if "label" in seq.meta:
            ann["label"] = int(seq.meta["label"])
        if seq.confidence is not None:
            ann["keypoint_score"] = seq.confidence.astype(np.float32)
        with atomic_write(path) as tmp, open(tmp, "wb") as fh:
            pickle.dump({"split": {}, "annotations": [ann]}, fh, protocol=4)
        return path
