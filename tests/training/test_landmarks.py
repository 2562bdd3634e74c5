"""Landmarks (head, pelvis, hands, elbows, knees, feet) in every layout the project reads."""

from __future__ import annotations

import pytest

from skeletonllm.topology import Topology
from skeletonllm_datasets.synthetic import TOPOLOGIES, generate
from skeletonllm_training.landmarks import LANDMARKS, landmarks

CMU = ["Hips", "LHipJoint", "LeftUpLeg", "LeftLeg", "LeftFoot", "LeftToeBase", "RHipJoint", "RightUpLeg", "RightLeg",
       "RightFoot", "RightToeBase", "LowerBack", "Spine", "Spine1", "Neck", "Neck1", "Head", "LeftShoulder", "LeftArm",
       "LeftForeArm", "LeftHand", "LeftFingerBase", "LeftHandIndex1", "LThumb", "RightShoulder", "RightArm",
       "RightForeArm", "RightHand", "RightFingerBase", "RightHandIndex1", "RThumb"]  # fmt: skip
ASF = ["root", "lhipjoint", "lfemur", "ltibia", "lfoot", "ltoes", "rhipjoint", "rfemur", "rtibia", "rfoot", "rtoes",
       "lowerback", "upperback", "thorax", "lowerneck", "upperneck", "head", "lclavicle", "lhumerus", "lradius",
       "lwrist", "lhand", "lfingers", "lthumb", "rclavicle", "rhumerus", "rradius", "rwrist", "rhand", "rfingers",
       "rthumb"]  # fmt: skip
PARENTS = [-1, 0, 1, 2, 3, 4, 0, 6, 7, 8, 9, 0, 11, 12, 13, 14, 15, 13, 17, 18, 19, 20, 21, 20, 13, 24, 25, 26, 27, 28,
           27]  # fmt: skip


def _named(topology: Topology) -> dict[str, list[str]]:
    return {k: [topology.joint_names[i] for i in v] for k, v in landmarks(topology).items()}


@pytest.mark.parametrize("layout", TOPOLOGIES)
def test_every_synthact_layout_has_all_ten(layout):
    found = _named(generate("drink water", layout, 0).topology)
    assert list(found) == list(LANDMARKS)


def test_kinect_prefers_the_wrist_and_ankle_to_hand_and_foot():
    found = _named(generate("drink water", "kinect_v2", 0).topology)
    assert found["left_hand"] == ["WristLeft"] and found["right_foot"] == ["AnkleRight"]
    assert found["pelvis"] == ["SpineBase"] and found["left_elbow"] == ["ElbowLeft"]


def test_coco_pelvis_is_the_mean_of_its_hips_and_its_head_the_nose():
    found = _named(generate("drink water", "coco17", 0).topology)
    assert found["pelvis"] == ["left_hip", "right_hip"] and found["head"] == ["nose"]


def test_cmu_bvh_elbow_and_knee_come_from_the_bones():
    found = _named(Topology.from_parents("cmu", CMU, PARENTS))
    assert found["left_hand"] == ["LeftHand"] and found["right_hand"] == ["RightHand"]  # not HandIndex1, Thumb
    assert found["left_elbow"] == ["LeftForeArm"] and found["right_knee"] == ["RightLeg"]
    assert found["left_foot"] == ["LeftFoot"] and found["pelvis"] == ["Hips"] and found["head"] == ["Head"]


def test_asf_one_letter_sides():
    found = _named(Topology.from_parents("asf", ASF, PARENTS))
    assert found["left_hand"] == ["lwrist"] and found["right_foot"] == ["rfoot"]
    assert found["left_elbow"] == ["lradius"] and found["right_knee"] == ["rtibia"]
    assert found["pelvis"] == ["root"]
    assert "lowerback" not in sum(found.values(), [])  # 'l' + 'owerback' is not a side


def test_a_layout_without_limbs_has_only_what_it_names():
    topo = Topology("stick", ("head", "neck", "tail"), ((0, 1), (1, 2)))
    assert _named(topo) == {"head": ["head"]}
