"""The fixed skeleton layouts of the built-in formats, each with its source.

BVH is absent on purpose: its topology comes from each file's hierarchy.
``groups`` name body parts so renderers can colour limbs without knowing
joint indices.
"""

from __future__ import annotations

import dataclasses

from skeletonllm.topology import Topology

# fmt: off
KINECT_V2 = Topology(
    name="kinect_v2",
    joint_names=(
        "SpineBase", "SpineMid", "Neck", "Head", "ShoulderLeft", "ElbowLeft", "WristLeft", "HandLeft",
        "ShoulderRight", "ElbowRight", "WristRight", "HandRight", "HipLeft", "KneeLeft", "AnkleLeft", "FootLeft",
        "HipRight", "KneeRight", "AnkleRight", "FootRight", "SpineShoulder", "HandTipLeft", "ThumbLeft",
        "HandTipRight", "ThumbRight",
    ),
    # Anatomical bones (hand tip and thumb attach to the hand), as drawn by gardiens/plot_skeleton_NTU_RGB-D.
    edges=(
        (0, 1), (1, 20), (20, 2), (2, 3), (20, 4), (4, 5), (5, 6), (6, 7), (7, 21), (7, 22),
        (20, 8), (8, 9), (9, 10), (10, 11), (11, 23), (11, 24),
        (0, 16), (16, 17), (17, 18), (18, 19), (0, 12), (12, 13), (13, 14), (14, 15),
    ),
    dims=3,
    parents=(-1, 0, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18, 1, 7, 7, 11, 11),
    source="Microsoft Kinect v2 JointType order; bones: gardiens/plot_skeleton_NTU_RGB-D utils/joints.py",
    groups={
        "head": (2, 3),
        "torso": (0, 1, 20),
        "left_arm": (4, 5, 6, 7, 21, 22),
        "right_arm": (8, 9, 10, 11, 23, 24),
        "left_leg": (12, 13, 14, 15),
        "right_leg": (16, 17, 18, 19),
    },
)

KINECT_V1 = Topology(
    name="kinect_v1",
    joint_names=(
        "HipCenter", "Spine", "ShoulderCenter", "Head", "ShoulderLeft", "ElbowLeft", "WristLeft", "HandLeft",
        "ShoulderRight", "ElbowRight", "WristRight", "HandRight", "HipLeft", "KneeLeft", "AnkleLeft", "FootLeft",
        "HipRight", "KneeRight", "AnkleRight", "FootRight",
    ),
    edges=(
        (0, 1), (1, 2), (3, 2), (4, 2), (5, 4), (6, 5), (7, 6), (8, 2), (9, 8), (10, 9), (11, 10),
        (12, 0), (13, 12), (14, 13), (15, 14), (16, 0), (17, 16), (18, 17), (19, 18),
    ),
    dims=3,
    parents=(-1, 0, 1, 2, 2, 4, 5, 6, 2, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18),
    source="Kinect v1 NUI joint order; bones: Uason-Chen/CTR-GCN graph/ucla.py (1-based, minus 1)",
    groups={
        "head": (3,),
        "torso": (0, 1, 2),
        "left_arm": (4, 5, 6, 7),
        "right_arm": (8, 9, 10, 11),
        "left_leg": (12, 13, 14, 15),
        "right_leg": (16, 17, 18, 19),
    },
)

SMPL22 = Topology.from_parents(
    name="smpl22",
    joint_names=(
        "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2", "left_ankle",
        "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar", "right_collar", "head",
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    ),
    parents=(-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19),
    dims=3,
    source="names: smplx joint_names.py JOINT_NAMES[:22]; tree: HumanML3D paramUtil.py t2m_kinematic_chain",
    groups={
        "head": (12, 15),
        "torso": (0, 3, 6, 9),
        "left_arm": (13, 16, 18, 20),
        "right_arm": (14, 17, 19, 21),
        "left_leg": (1, 4, 7, 10),
        "right_leg": (2, 5, 8, 11),
    },
)

COCO17 = Topology(
    name="coco17",
    joint_names=(
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    ),
    # COCO person category "skeleton" (1-based in the annotation file), minus 1.
    edges=(
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
        (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
    ),
    dims=2,
    source="COCO 2017 person_keypoints categories[0] (keypoints and skeleton)",
    groups={
        "head": (0, 1, 2, 3, 4),
        "torso": (5, 6, 11, 12),
        "left_arm": (7, 9),
        "right_arm": (8, 10),
        "left_leg": (13, 15),
        "right_leg": (14, 16),
    },
)

PENN_ACTION13 = Topology(
    name="penn_action13",
    joint_names=(
        "head", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
        "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    ),
    edges=(
        (0, 1), (0, 2), (1, 2), (1, 3), (3, 5), (2, 4), (4, 6), (1, 7), (2, 8), (7, 8),
        (7, 9), (9, 11), (8, 10), (10, 12),
    ),
    dims=2,
    source="Penn Action README 'List of Annotated Joints' (1-based, minus 1); bones: head to shoulders, limbs, torso",
    groups={
        "head": (0,),
        "torso": (1, 2, 7, 8),
        "left_arm": (3, 5),
        "right_arm": (4, 6),
        "left_leg": (9, 11),
        "right_leg": (10, 12),
    },
)

# fmt: on

#: AMASS's axes: the same SMPL joints with z up (HumanML3D turned them y-up when it built its files)
SMPL22_Z_UP = dataclasses.replace(SMPL22, up_axis="z")

BY_NAME: dict[str, Topology] = {t.name: t for t in (KINECT_V2, KINECT_V1, SMPL22, COCO17, PENN_ACTION13)}
