"""SkeletonLLM's contract kit, run on this plugin's components: subclass the kit's class, name the entry point."""

import json
from pathlib import Path

from skeletonllm_openpose.topology import BODY_25

from skeletonllm.testing import ComponentContract, FormatContract, MetricContract, moving_positions


class TestOpenPoseFormats(FormatContract):
    plugin = "openpose"  # the entry-point name in pyproject.toml

    def samples(self, folder: Path) -> dict[str, Path]:
        """One frame with two people, one of them missing a joint, for the read and sniff tests."""
        people = []
        for person in moving_positions(BODY_25, frames=2)[:2]:
            values = [[x, y, 0.9] for x, y in person.tolist()]
            values[4][2] = 0.0
            people.append({"person_id": [-1], "pose_keypoints_2d": [v for joint in values for v in joint]})
        path = folder / "clip_000000000000_keypoints.json"
        path.write_text(json.dumps({"version": 1.3, "people": people}))
        return {"openpose_body25": path}


class TestOpenPoseMetrics(MetricContract):
    plugin = "openpose"


class TestOpenPoseComponents(ComponentContract):
    plugin = "openpose"
