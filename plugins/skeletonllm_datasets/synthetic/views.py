"""Views of the posed humanoid in each output topology (and the camera that sees it).

World frame: metres, y up, floor at y=0, the camera at height ``H`` above the
origin looking along +z (pitched by a small tilt). Kinect outputs are in the
sensor's camera space (x to the sensor's left, y up, z away from it, as NTU
files are); SMPL-22 and BVH are the world frame with the scene centred on the
origin (Y up, as HumanML3D); COCO-17 is the Kinect view projected to pixels
of a 1920x1080 colour camera.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skeletonllm.errors import SkeletonDataError
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology
from skeletonllm_formats.topologies import COCO17, KINECT_V1, KINECT_V2, SMPL22

from .humanoid import JOINT_INDEX, JOINT_NAMES, PARENTS, matrix_to_quaternion

HUMANOID = Topology.from_parents(
    name="synthact_humanoid",
    joint_names=JOINT_NAMES,
    parents=PARENTS,
    dims=3,
    source="SkeletonLLM procedural humanoid (skeletonllm_datasets.synthetic.humanoid)",
    groups={
        "head": tuple(JOINT_INDEX[n] for n in ("neck_upper", "head", "nose", "l_eye", "r_eye", "l_ear", "r_ear")),
        "torso": tuple(JOINT_INDEX[n] for n in ("pelvis", "spine1", "spine2", "spine3", "neck")),
        "left_arm": tuple(i for i, n in enumerate(JOINT_NAMES) if n.startswith("l_") and "hip" not in n and n[2:] not in ("knee", "ankle", "foot", "eye", "ear")),
        "right_arm": tuple(i for i, n in enumerate(JOINT_NAMES) if n.startswith("r_") and "hip" not in n and n[2:] not in ("knee", "ankle", "foot", "eye", "ear")),
        "left_leg": tuple(JOINT_INDEX[n] for n in ("l_hip", "l_knee", "l_ankle", "l_foot")),
        "right_leg": tuple(JOINT_INDEX[n] for n in ("r_hip", "r_knee", "r_ankle", "r_foot")),
    },
)  # fmt: skip

_SIDES = ("Left", "l_"), ("Right", "r_")
_KINECT_V2_MAP = {
    "SpineBase": "pelvis", "SpineMid": "spine2", "Neck": "neck_upper", "Head": "head", "SpineShoulder": "neck",
    **{f"{part}{side}": f"{p}{ours}" for side, p in _SIDES for part, ours in (
        ("Shoulder", "shoulder"), ("Elbow", "elbow"), ("Wrist", "wrist"), ("Hand", "hand"), ("Hip", "hip"),
        ("Knee", "knee"), ("Ankle", "ankle"), ("Foot", "foot"), ("HandTip", "handtip"), ("Thumb", "thumb"))},
}  # fmt: skip
_KINECT_V1_MAP = {
    "HipCenter": "pelvis", "Spine": "spine2", "ShoulderCenter": "neck", "Head": "head",
    **{f"{part}{side}": f"{p}{ours}" for side, p in _SIDES for part, ours in (
        ("Shoulder", "shoulder"), ("Elbow", "elbow"), ("Wrist", "wrist"), ("Hand", "hand"), ("Hip", "hip"),
        ("Knee", "knee"), ("Ankle", "ankle"), ("Foot", "foot"))},
}  # fmt: skip
_SMPL22_MAP = {n: n.replace("left_", "l_").replace("right_", "r_") for n in SMPL22.joint_names}
_COCO17_MAP = {n: n.replace("left_", "l_").replace("right_", "r_") for n in COCO17.joint_names}

# name -> (topology, our joint for each of its joints, coordinate frame)
VIEWS: dict[str, tuple[Topology, tuple[str, ...], str]] = {
    "kinect_v2": (KINECT_V2, tuple(_KINECT_V2_MAP[n] for n in KINECT_V2.joint_names), "camera"),
    "kinect_v1": (KINECT_V1, tuple(_KINECT_V1_MAP[n] for n in KINECT_V1.joint_names), "camera"),
    "smpl22": (SMPL22, tuple(_SMPL22_MAP[n] for n in SMPL22.joint_names), "world"),
    "coco17": (COCO17, tuple(_COCO17_MAP[n] for n in COCO17.joint_names), "image"),
    "bvh": (HUMANOID, JOINT_NAMES, "world"),
}
TOPOLOGIES: tuple[str, ...] = tuple(VIEWS)

# Colour camera intrinsics of the COCO view (close to a Kinect v2 colour camera).
IMAGE_SIZE = (1920, 1080)
FOCAL_PX = 1060.0


def _tilt(deg: float) -> np.ndarray:
    """Camera pitch about x (positive looks down)."""
    a = np.deg2rad(deg)
    return np.array([[1.0, 0.0, 0.0], [0.0, np.cos(a), -np.sin(a)], [0.0, np.sin(a), np.cos(a)]])


def _project(cam: np.ndarray, focal: float, size: tuple[int, int]) -> np.ndarray:
    """Pinhole projection of camera-space points to pixels (the sensor's left, +x, is the image's left)."""
    z = np.where(cam[..., 2] > 1e-6, cam[..., 2], 1e-6)
    return np.stack([size[0] / 2 - focal * cam[..., 0] / z, size[1] / 2 - focal * cam[..., 1] / z], axis=-1)


def to_topology(
    name: str,
    world: np.ndarray,
    rotations: np.ndarray,
    visible: np.ndarray,
    centre: np.ndarray,
    perf: Any,
    fps: float,
    meta: dict[str, Any],
) -> SkeletonSequence:
    """Select and transform the humanoid's joints into topology ``name``."""
    if name not in VIEWS:
        raise SkeletonDataError(
            f"unknown synthetic topology {name!r}; expected one of {', '.join(VIEWS)}", field="topology"
        )
    topo, ours, frame = VIEWS[name]
    idx = np.array([JOINT_INDEX[j] for j in ours])
    pos, rot, mask = world[:, :, idx], rotations[:, :, idx], visible[:, :, idx]
    meta = dict(meta, topology=name)
    if frame == "world":
        pos = pos - np.array([centre[0], 0.0, centre[2]])
        quat = matrix_to_quaternion(rot) if name == "bvh" else None
        return SkeletonSequence(pos, topo, fps=fps, mask=mask, orientations=quat, meta=meta)
    cam_pos = np.array([0.0, perf.camera_height, 0.0])
    r_cam = _tilt(perf.camera_tilt_deg).T  # world -> camera
    cam = (pos - cam_pos) @ r_cam.T
    if frame == "camera":
        quat = matrix_to_quaternion(r_cam @ rot) if name == "kinect_v2" else None
        conf = np.where(mask, 1.0, 0.0).astype(np.float32)  # NTU trackingState 2 (tracked) / 0, as state / 2
        extras = {}
        if name == "kinect_v2":  # the pixel columns an NTU file carries: depth (512x424) and colour images
            extras = {"depth_xy": _project(cam, 365.0, (512, 424)), "color_xy": _project(cam, FOCAL_PX, IMAGE_SIZE)}
            extras = {k: np.where(mask[..., None], v, 0.0).astype(np.float32) for k, v in extras.items()}
        return SkeletonSequence(
            cam, topo, fps=fps, mask=mask, orientations=quat, confidence=conf, extras=extras, meta=meta
        )
    px = _project(cam, FOCAL_PX, IMAGE_SIZE)
    meta["image_size"] = IMAGE_SIZE
    conf = np.where(mask, 1.0, 0.0).astype(np.float32)
    return SkeletonSequence(px, topo, fps=fps, mask=mask, confidence=conf, meta=meta)
