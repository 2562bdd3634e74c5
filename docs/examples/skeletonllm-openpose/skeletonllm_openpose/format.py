"""Reader for OpenPose ``*_keypoints.json``: one frame, every detected person.

OpenPose writes one JSON file per video frame with a ``people`` list; each
person has ``pose_keypoints_2d`` = 25 x (x, y, confidence). A confidence of
0 means "not detected", so those joints are masked rather than drawn at the
image origin.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from skeletonllm import SkeletonDataError, SkeletonSequence
from skeletonllm.interfaces import SkeletonFormat

from .topology import BODY_25


class OpenPoseFormat(SkeletonFormat):
    name = "openpose_body25"
    summary = "OpenPose BODY_25 JSON keypoints (2D, one file per frame)"
    suffixes = (".json",)
    topology = BODY_25

    def sniff(self, path: Path, head: bytes) -> float:
        text = head.decode("utf-8", errors="ignore")
        return 0.9 if '"people"' in text and "pose_keypoints_2d" in text else 0.0

    def read(self, path: Path) -> list[SkeletonSequence]:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SkeletonDataError(f"not readable OpenPose JSON: {exc}", source=path) from None
        people = data.get("people") if isinstance(data, dict) else None
        if not isinstance(people, list):
            raise SkeletonDataError("expected an object with a 'people' list", source=path, field="people")
        if not people:
            raise SkeletonDataError("no person detected in this frame", source=path, field="people")
        rows = []
        for i, person in enumerate(people):
            values = person.get("pose_keypoints_2d") if isinstance(person, dict) else None
            if not isinstance(values, list) or len(values) != 25 * 3:
                got = len(values) if isinstance(values, list) else type(values).__name__
                raise SkeletonDataError(
                    f"person {i}: expected 75 numbers (25 joints x, y, confidence), got {got}",
                    source=path,
                    field="pose_keypoints_2d",
                )
            try:
                rows.append(np.asarray(values, dtype=np.float32).reshape(25, 3))
            except (TypeError, ValueError):
                raise SkeletonDataError(
                    f"person {i}: non-numeric keypoint value", source=path, field="pose_keypoints_2d"
                ) from None
        arr = np.stack(rows)[:, None]  # (M, 1, 25, 3)
        confidence = arr[..., 2]
        return [
            SkeletonSequence(
                positions=arr[..., :2],
                topology=BODY_25,
                mask=confidence > 0,
                confidence=confidence,
                meta={"source": str(path), "format": self.name},
            )
        ]
