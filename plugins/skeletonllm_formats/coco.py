"""COCO person-keypoints JSON: each annotated person is one single-frame sequence.

Layout: the COCO 2017 ``person_keypoints_*.json`` (``images``,
``annotations`` with ``keypoints`` = 17 x (x, y, v), ``categories``).
Visibility ``v`` = 0 means not labelled (mask False); ``confidence`` = v / 2.
Every person annotation is a sequence, even one with no labelled keypoint
(all mask False), so the count matches the file's person count; the option
``min_keypoints`` drops annotations with fewer labelled keypoints.
Sequences come out ordered by the ``images`` list, then by annotation order.

Writing: a sequence of T frames becomes T images in one file (image ``id``
= frame index + 1), one annotation per present person; reading it back
gives one single-frame sequence per (frame, person), in frame order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from skeletonllm.atomic import atomic_write
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import PluginOptions, SkeletonFormat
from skeletonllm.sequence import SkeletonSequence

from ._text import read_json
from .topologies import COCO17

NUM_KEYPOINTS = 17


def _is_id(value: object) -> bool:
    """COCO ids are integers (strings are tolerated); anything else cannot key an image."""
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _keypoints(ann: dict, index: int, path: Path) -> np.ndarray:
    """(17, 3) x, y, v of one annotation, with the annotation's position in the error."""
    where = f"annotations[{index}].keypoints"
    kps = ann.get("keypoints")
    if not isinstance(kps, list) or len(kps) != NUM_KEYPOINTS * 3:
        got = len(kps) if isinstance(kps, list) else type(kps).__name__
        raise SkeletonDataError(f"expected a list of 51 numbers (17 x x,y,v), got {got}", source=path, field=where)
    if not all(k is None or (isinstance(k, (int, float)) and not isinstance(k, bool)) for k in kps):
        bad = next(k for k in kps if not isinstance(k, (int, float)) or isinstance(k, bool))
        raise SkeletonDataError(f"{bad!r} is not a number", source=path, field=where)
    arr = np.array([np.nan if k is None else k for k in kps], dtype=np.float64).reshape(NUM_KEYPOINTS, 3)
    vis = arr[:, 2]
    if not np.isin(vis[np.isfinite(vis)], (0, 1, 2)).all():
        raise SkeletonDataError("visibility flags must be 0, 1 or 2", source=path, field=where)
    return arr


class CocoOptions(PluginOptions):
    """``min_keypoints``: skip persons with fewer labelled keypoints (0 keeps every annotated person)."""

    min_keypoints: int = Field(default=0, ge=0, le=NUM_KEYPOINTS)


class CocoKeypointsFormat(SkeletonFormat):
    """2D COCO-17; meta holds image_id, annotation id, file_name and bbox."""

    name: ClassVar[str] = "coco_keypoints"
    summary: ClassVar[str] = "COCO person-keypoints JSON (17 keypoints, 2D, one frame per person)"
    Options: ClassVar[type[PluginOptions]] = CocoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".json",)
    topology = COCO17

    def sniff(self, path: Path, head: bytes) -> float:
        if not head.lstrip().startswith(b"{"):
            return 0.0
        if not any(key in head for key in (b'"annotations"', b'"images"', b'"categories"', b'"licenses"')):
            return 0.0
        if b'"keypoints"' in head:
            return 0.9
        try:  # real COCO files put the keypoint annotations far past the head
            with open(path, "rb") as fh:
                more = fh.read(1 << 20)
        except OSError:
            return 0.3
        return 0.9 if b'"keypoints"' in more else 0.3

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        doc = read_json(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("annotations"), list):
            raise SkeletonDataError(
                'expected a JSON object with an "annotations" list', source=path, field="annotations"
            )
        images = doc.get("images", [])
        if not isinstance(images, list):
            raise SkeletonDataError("expected a list", source=path, field="images")
        order: dict[Any, int] = {}
        names: dict[Any, str] = {}
        for i, img in enumerate(images):
            if not isinstance(img, dict) or not _is_id(img.get("id")):
                raise SkeletonDataError(
                    'expected an object with an integer or string "id"', source=path, field=f"images[{i}]"
                )
            order.setdefault(img["id"], i)
            names[img["id"]] = str(img.get("file_name", ""))
        found = []
        for i, ann in enumerate(doc["annotations"]):
            if not isinstance(ann, dict):
                raise SkeletonDataError("expected an object", source=path, field=f"annotations[{i}]")
            if "keypoints" not in ann:
                continue  # a non-person (e.g. detection) annotation
            kps = _keypoints(ann, i, path)
            labelled = np.nan_to_num(kps[:, 2]) > 0
            if labelled.sum() < self.options.min_keypoints:
                continue
            image_id = ann.get("image_id")
            if image_id is not None and not _is_id(image_id):
                raise SkeletonDataError(
                    f"{image_id!r:.40} is not an integer or string id", source=path, field=f"annotations[{i}].image_id"
                )
            if images and image_id not in order:
                raise SkeletonDataError(
                    f"image_id {image_id!r} is not in images", source=path, field=f"annotations[{i}].image_id"
                )
            found.append((order.get(image_id, len(order)), i, ann, kps, labelled))
        if not found:
            raise SkeletonDataError("no person keypoint annotation", source=path, field="annotations")
        found.sort(key=lambda item: (item[0], item[1]))
        sequences = []
        for _, i, ann, kps, labelled in found:
            meta = {
                "source": str(path),
                "image_id": ann.get("image_id"),
                "annotation_id": ann.get("id"),
                "file_name": names.get(ann.get("image_id"), ""),
                "bbox": ann.get("bbox"),
                "annotation_index": i,
            }
            sequences.append(
                SkeletonSequence(
                    positions=kps[None, None, :, :2],
                    topology=COCO17,
                    fps=None,
                    mask=labelled[None, None],
                    confidence=(np.nan_to_num(kps[:, 2]) / 2.0)[None, None],
                    meta=meta,
                )
            )
        return sequences

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """T frames -> T images; each present person -> one annotation (v = 2, or from confidence)."""
        path = Path(path)
        seq = sequence
        if seq.num_joints != NUM_KEYPOINTS or seq.dims != 2:
            raise SkeletonDataError(
                f"coco_keypoints writes 17 keypoints in 2D, got {seq.num_joints} in {seq.dims}D", source=path
            )
        images, annotations = [], []
        for t in range(seq.num_frames):
            images.append({"id": t + 1, "file_name": f"frame_{t:06d}.jpg", "width": 0, "height": 0})
            for m in range(seq.num_persons):
                mask = seq.mask[m, t]
                if not mask.any():
                    continue
                vis = np.full(NUM_KEYPOINTS, 2)
                if seq.confidence is not None:
                    vis = np.clip(np.rint(seq.confidence[m, t] * 2), 1, 2).astype(int)
                vis = np.where(mask, vis, 0)
                xy = seq.positions[m, t]
                kps: list[float | int] = []
                for j in range(NUM_KEYPOINTS):
                    x, y = (float(xy[j, 0]), float(xy[j, 1])) if mask[j] else (0, 0)
                    kps += [x, y, int(vis[j])]
                lo, hi = xy[mask].min(axis=0), xy[mask].max(axis=0)
                annotations.append(
                    {
                        "id": len(annotations) + 1,
                        "image_id": t + 1,
                        "category_id": 1,
                        "iscrowd": 0,
                        "num_keypoints": int(mask.sum()),
                        "keypoints": kps,
                        "bbox": [float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])],
                        "area": float((hi[0] - lo[0]) * (hi[1] - lo[1])),
                    }
                )
        category = {
            "id": 1,
            "name": "person",
            "supercategory": "person",
            "keypoints": list(COCO17.joint_names),
            "skeleton": [[a + 1, b + 1] for a, b in COCO17.edges],
        }
        doc = {"images": images, "annotations": annotations, "categories": [category]}
        with atomic_write(path) as tmp:
            tmp.write_text(json.dumps(doc), encoding="utf-8")
        return path
