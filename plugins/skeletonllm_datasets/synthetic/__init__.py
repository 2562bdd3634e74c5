"""SynthAct: procedural, labelled skeleton actions emitted in every topology.

Public API (stable; other packages import it)::

    from skeletonllm_datasets.synthetic import ACTIONS, TOPOLOGIES, generate

    seq = generate(action, topology, seed, *, frames=None, randomize=True, subject=None)

- ``action``: one of ``ACTIONS`` (names as NTU RGB+D spells them; ``ntu_id(action)``
  gives the NTU class id, 121+ for classes NTU lacks).
- ``topology``: one of ``TOPOLOGIES`` = ``kinect_v2`` (25 joints, Kinect camera space,
  metres, with global joint orientations), ``kinect_v1`` (20), ``smpl22`` (Y up, floor
  at 0), ``coco17`` (2D pixels of a 1920x1080 camera) and ``bvh`` (the humanoid's own
  34-joint hierarchy with parents and global orientations, Y up).
- ``seed``: everything random (speed x0.5-2, amplitude, style, handedness, yaw +-90
  degrees around facing the camera, position, camera height/tilt, sensor noise, dropped
  joints) comes from ``seed`` and the action, never the topology: the same seed is the
  same performance in every topology.
- ``frames``: ``None`` gives the natural length at 30 fps; an int resamples the whole
  clip to exactly that many frames (``fps`` is set to match).
- ``randomize=False``: the clean version (average body, front-facing, speed 1, no noise).
- ``subject``: performer id; body proportions (height 1.50-1.95 m, parts +-15 %) come
  from it alone, so splits by subject put unseen bodies in the test set. ``None``
  draws the body from ``seed``.

Returns a ``SkeletonSequence`` with ``M = 2`` for two-person actions and ``meta`` holding
``action``, ``label`` (index into ``ACTIONS``), ``ntu_id``, ``seed``, ``subject`` and the
drawn parameters (``synth``).
"""

from __future__ import annotations

from .actions import ACTION_SPECS, BY_NAME
from .generator import generate
from .humanoid import JOINT_NAMES as HUMANOID_JOINTS
from .views import HUMANOID, TOPOLOGIES

ACTIONS: list[str] = [a.name for a in ACTION_SPECS]
TWO_PERSON_ACTIONS: list[str] = [a.name for a in ACTION_SPECS if a.persons == 2]


def ntu_id(action: str) -> int:
    """NTU RGB+D class id (1-based) of a synthetic action; 121+ for actions NTU lacks."""
    return BY_NAME[action].ntu_id


__all__ = ["ACTIONS", "HUMANOID", "HUMANOID_JOINTS", "TOPOLOGIES", "TWO_PERSON_ACTIONS", "generate", "ntu_id"]
