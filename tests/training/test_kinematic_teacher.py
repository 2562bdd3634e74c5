"""The kinematic teacher describes the clip it is given, on every topology."""

from __future__ import annotations

import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.registry import get_registry
from skeletonllm.tasks import ClipContext
from skeletonllm_datasets.synthetic import ACTIONS, TOPOLOGIES, generate
from skeletonllm_training.kinematic_teacher import KinematicTeacher

SEEN = list(range(len(ACTIONS)))


def _clip(action: str, topology: str, seed: int) -> ClipContext:
    seq = generate(action, topology, seed)
    return ClipContext(f"{action}:{seed}", ACTIONS.index(action), ACTIONS, SEEN, sequence=seq)


def _seed_with(action: str, mirrored: bool) -> int:
    return next(s for s in range(50) if generate(action, "kinect_v1", s).meta["synth"]["mirrored"] == mirrored)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_a_right_hand_wave_is_the_right_arm_and_a_left_kick_is_the_left_leg(topology):
    teacher = KinematicTeacher()
    wave = teacher.rationale(_clip("hand waving", topology, _seed_with("hand waving", False)))
    kick = teacher.rationale(_clip("kicking something", topology, _seed_with("kicking something", True)))
    assert wave.startswith("Summary: One person; mainly the right arm")
    assert "right hand" in wave and "left leg" not in wave.split("still:")[0]
    assert "mainly the left leg" in kick.splitlines()[0]
    assert "Step 1:" in wave and "Label:" not in wave  # the stage appends the label line


def test_clips_of_one_class_at_other_speeds_or_sides_get_other_texts():
    teacher = KinematicTeacher()
    right, left = _seed_with("salute", False), _seed_with("salute", True)
    texts = {teacher.rationale(_clip("salute", "kinect_v2", s)) for s in (right, left)}
    assert len(texts) == 2
    by_speed = sorted(range(8), key=lambda s: generate("drink water", "kinect_v2", s).meta["synth"]["speed"])
    slow = teacher.rationale(_clip("drink water", "kinect_v2", by_speed[0]))
    fast = teacher.rationale(_clip("drink water", "kinect_v2", by_speed[-1]))
    speed_line = [line for line in slow.splitlines() if "Speed:" in line]
    assert speed_line and speed_line[0] not in fast


def test_different_classes_never_share_a_text_and_the_label_is_named_only_when_known():
    teacher = KinematicTeacher()
    texts = [teacher.rationale(_clip(a, "smpl22", 1)) for a in ACTIONS]
    assert len(set(texts)) == len(ACTIONS)
    clip = _clip("jump up", "smpl22", 1)
    assert "'jump up'" in teacher.rationale(clip)
    blind = teacher.rationale(clip, know_label=False)
    assert "jump" not in blind.lower().replace("feet leave", "")
    assert "the feet leave the ground" in blind and "the body lowers" in blind


def test_the_teacher_needs_the_clip_and_is_registered():
    clip = ClipContext("no_joints_7", 0, ACTIONS, SEEN)
    with pytest.raises(SkeletonLLMError, match="no_joints_7"):
        KinematicTeacher().rationale(clip)
    assert isinstance(get_registry().create("teacher", "kinematic"), KinematicTeacher)


def test_a_motionless_clip_is_described_not_refused():
    """A clip in which no part passes the motion threshold (a real recording's idle take) still gets a summary."""
    import numpy as np

    seq = generate("clapping", "kinect_v1", 0)
    frozen = type(seq)(np.repeat(seq.positions[:, :1], seq.num_frames, axis=1), seq.topology, fps=seq.fps)
    text = KinematicTeacher().rationale(ClipContext("still", 0, ACTIONS, SEEN, sequence=frozen), know_label=False)
    assert text.startswith("Summary: One person; hardly anything moves")
