"""Kinematic facts checked against what SynthAct's generator knows it performed, in every topology."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.sequence import SkeletonSequence
from skeletonllm_datasets.synthetic import TOPOLOGIES, generate
from skeletonllm_formats.topologies import KINECT_V2
from skeletonllm_training.body import body_parts, side_of, up_vector
from skeletonllm_training.kinematics import LOWERING, analyse


def _side(seq: SkeletonSequence) -> str:
    return "left" if seq.meta["synth"]["mirrored"] else "right"


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize(("action", "limb"), [("hand waving", "arm"), ("kicking something", "leg"), ("salute", "arm")])
def test_the_most_moving_part_is_the_performed_limb_on_the_performed_side(topology, action, limb):
    hits = 0
    for seed in range(6):
        seq = generate(action, topology, seed)
        person = analyse(seq).main
        hits += person.main.part == f"{_side(seq)}_{limb}" and person.side == _side(seq)
    assert hits >= 5, f"{action} on {topology}: limb and side right in only {hits}/6 clips"


@pytest.mark.parametrize("topology", ["kinect_v2", "smpl22", "coco17"])
def test_squats_lower_the_body_jumps_leave_the_ground_and_waves_do_neither(topology):
    squat = [analyse(generate("squat down", topology, s)).main for s in range(3)]
    jump = [analyse(generate("jump up", topology, s)).main for s in range(3)]
    wave = [analyse(generate("hand waving", topology, s)).main for s in range(3)]
    assert all(p.lowering >= LOWERING for p in squat)
    assert min(p.airborne for p in jump) > max(p.airborne for p in wave + squat)
    assert all(p.lowering < LOWERING for p in wave)


def test_measured_speed_follows_the_generator_speed():
    clips = [generate("drink water", "kinect_v2", s) for s in range(10)]
    drawn = np.array([c.meta["synth"]["speed"] for c in clips])
    measured = np.array([analyse(c).main.main.speed for c in clips])
    ranks = np.corrcoef(np.argsort(np.argsort(drawn)), np.argsort(np.argsort(measured)))[0, 1]
    assert ranks > 0.6, f"speed rank correlation {ranks:.2f}"


def test_waves_repeat_and_one_shot_movements_do_not():
    waves = [analyse(generate("hand waving", "kinect_v2", s)).main.main.repetitions for s in range(6)]
    kicks = [analyse(generate("kicking something", "kinect_v2", s)).main.main.repetitions for s in range(6)]
    assert sum(w >= 2 for w in waves) >= 5, waves  # one wave in six may hide under the raise of the arm
    assert np.mean(waves) >= np.mean(kicks) + 1.5, (waves, kicks)
    assert sum(k == 1 for k in kicks) >= 5, kicks


def test_contacts_hands_meet_in_clapping_and_a_hand_reaches_the_head_when_drinking():
    claps = [analyse(generate("clapping", "kinect_v2", s)).main for s in range(4)]
    waves = [analyse(generate("hand waving", "kinect_v2", s)).main for s in range(4)]
    assert all(p.hands_meet > 0 for p in claps) and not any(p.hands_meet for p in waves)
    for seed in range(4):
        seq = generate("drink water", "kinect_v2", seed)
        assert analyse(seq).main.hand_near_head in (_side(seq), "both")


def test_jump_phases_the_body_lowers_before_the_feet_leave_the_ground():
    for seed in range(3):
        events = [e for _, e in analyse(generate("jump up", "smpl22", seed)).events()]
        assert events.index("body lowers") < events.index("feet leave the ground")


def test_two_person_clips_report_both_people_and_the_push_touches():
    facts = analyse(generate("pushing other person", "kinect_v2", 2))
    assert len(facts.persons) == 2 and facts.touching
    assert len(analyse(generate("hand waving", "kinect_v2", 2)).persons) == 1


def test_facts_do_not_depend_on_the_unit_or_the_up_axis():
    seq = generate("kicking something", "kinect_v2", 3)
    base = analyse(seq).main
    mm = dataclasses.replace(seq, positions=seq.positions * 1000.0)
    assert analyse(mm).main.main.amount == pytest.approx(base.main.amount, rel=1e-4)
    # the same clip with z up (x, y, z) -> (x, -z, y), read through a topology that says so
    z_up = dataclasses.replace(seq.topology)
    object.__setattr__(z_up, "up_axis", "z")
    turned = seq.positions[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0], np.float32)
    rotated = dataclasses.replace(seq, positions=turned, topology=z_up, orientations=None, extras={})
    facts = analyse(rotated).main
    assert facts.main.part == base.main.part and facts.main.net == base.main.net
    assert facts.main.amount == pytest.approx(base.main.amount, rel=1e-3)


def test_dropped_joints_are_bridged_not_read_as_jumps_to_the_origin():
    seq = generate("hand waving", "kinect_v2", 4)
    base = analyse(seq).main
    mask = seq.mask.copy()
    hand = list(KINECT_V2.groups["right_arm"])[2:]
    mask[0, 10:25, hand] = False  # the tracker loses the right hand for half a second
    mask[0, 40:44] = False  # and the whole body for a few frames
    facts = analyse(dataclasses.replace(seq, mask=mask)).main
    assert facts.main.part == base.main.part
    assert facts.main.amount == pytest.approx(base.main.amount, rel=0.2)
    assert facts.lowering < LOWERING


def test_body_parts_are_inferred_from_joint_names_when_a_topology_has_no_groups():
    bare = dataclasses.replace(KINECT_V2, groups={})
    inferred = body_parts(bare)
    assert {k: set(v) for k, v in inferred.items()} == {k: set(v) for k, v in KINECT_V2.groups.items()}
    assert side_of("HandTipLeft") == "left" and side_of("r_knee") == "right" and side_of("SpineBase") is None
    assert list(up_vector(bare)) == [0.0, 1.0, 0.0]


def test_a_clip_without_any_present_person_is_a_clear_error():
    seq = generate("hand waving", "kinect_v1", 0)
    empty = dataclasses.replace(seq, mask=np.zeros_like(seq.mask))
    with pytest.raises(SkeletonLLMError, match="no person is present"):
        analyse(empty)
