"""Small skeleton batches for renderer tests: any topology, 2D or 3D, one or two persons.

The generators are the conformance kit's (``skeletonllm.testing``); this module adds the
built-in topologies by name for tests that want a particular one.
"""

from __future__ import annotations

from skeletonllm.testing import batch_of, moving_positions, occupancy, sequence
from skeletonllm.testing.cases import BVH_LIKE
from skeletonllm_formats.topologies import COCO17, KINECT_V1, KINECT_V2, SMPL22

TOPOLOGIES = {t.name: t for t in (KINECT_V2, KINECT_V1, SMPL22, COCO17, BVH_LIKE)}

__all__ = ["BVH_LIKE", "TOPOLOGIES", "batch_of", "moving_positions", "occupancy", "sequence"]
