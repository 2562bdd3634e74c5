"""The action library: per-action key poses and curves on the humanoid.

Each action is written for the *right* side as the active one; the
generator mirrors it (swap left/right joints, negate y and z rotations) when
handedness is randomised, so "hand waving" with the left hand is still hand
waving. Angles are degrees, (rx, ry, rz) in the parent's frame (see
``humanoid.euler_to_matrix``): for arms and hips, negative rx swings the bone
forward; for knees positive rx bends back; for the spine and neck positive
rx leans forward; for the right arm negative rz lifts it sideways.

``amp`` scales the motion's extent (randomised around 1), ``rng`` draws
per-sample style details (rhythm, how far, which variant), so two samples
of one class differ in more than noise. Names and NTU ids follow the NTU
RGB+D 120 class list (A1..A120); classes NTU lacks get ids from 121 on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .curves import envelope, keys, oscillate, ramp, vec


@dataclass
class Motion:
    """One performer's curves: joint angles, root translation/rotation and airborne lift."""

    frames: int
    angles: dict[str, np.ndarray] = field(default_factory=dict)
    root_offset: np.ndarray | None = None  # (T, 3) body frame metres: x left, y up, z forward
    root_angles: np.ndarray | None = None  # (T, 3) degrees
    lift: np.ndarray | None = None  # (T,) metres above the ground contact
    repetitions: int | None = None  # how many cycles a repeated action shows (claps, waves, hops)

    def add(self, joint: str, angles: np.ndarray) -> None:
        """Accumulate a pose curve on a joint (layers combine by adding angles)."""
        a = np.broadcast_to(np.asarray(angles, float), (self.frames, 3))
        self.angles[joint] = self.angles.get(joint, 0.0) + a


ActionFn = Callable[[np.ndarray, float, np.random.Generator], list[Motion]]


@dataclass(frozen=True)
class ActionSpec:
    """An action class: name (as NTU spells it), NTU id, base duration, persons, curves."""

    name: str
    ntu_id: int
    duration: float
    persons: int
    fn: ActionFn
    one_sided: bool = True


def _m(u: np.ndarray) -> Motion:
    return Motion(frames=len(u))


def _visible_cycles(cycles: float, rise: float, fall: float) -> int:
    """Cycles shown while the envelope is above half height (from ``rise/2`` to ``1 - fall/2``).

    That is what a viewer would count, and what the clip's description says.
    """
    return max(1, int(round(cycles * (1.0 - 0.5 * (rise + fall)))))


def clapping(u, amp, rng):
    m, e = _m(u), envelope(u, 0.15, 0.15)
    cycles = rng.uniform(5, 9)
    m.repetitions = _visible_cycles(cycles, 0.15, 0.15)
    apart = 0.5 + 0.5 * oscillate(u, cycles, 0.25)  # 0 = palms together
    for side, s in (("r", 1.0), ("l", -1.0)):
        m.add(f"{side}_shoulder", vec(-55 * e, s * (45 - 30 * apart * amp) * e, s * (8 - 30 * apart * amp) * e))
        m.add(f"{side}_elbow", vec(-75 * e))
    return [m]


def rub_hands(u, amp, rng):
    m, e = _m(u), envelope(u, 0.15, 0.15)
    cycles = rng.uniform(5, 9)
    m.repetitions = _visible_cycles(cycles, 0.15, 0.15)
    rub = oscillate(u, cycles, rng.uniform())
    for side, s in (("r", 1.0), ("l", -1.0)):
        m.add(f"{side}_shoulder", vec(-55 * e, s * 45 * e, s * 8 * e))
        m.add(f"{side}_elbow", vec((-75 + s * 8 * amp * rub) * e))
        m.add(f"{side}_wrist", vec(s * 15 * rub * e))
    return [m]


def hand_waving(u, amp, rng):
    m, e = _m(u), envelope(u, 0.2, 0.2)
    lift = rng.uniform(70, 110)
    cycles = rng.uniform(3, 6)
    m.repetitions = _visible_cycles(cycles, 0.2, 0.2)
    m.add("r_shoulder", vec(-15 * e, -90 * e, -lift * e))
    m.add("r_elbow", vec((-80 + 30 * amp * oscillate(u, cycles)) * e))
    return [m]


def salute(u, amp, rng):
    m, e = _m(u), envelope(u, 0.25, 0.25)
    m.add("r_shoulder", vec(-40 * e, -60 * e, -85 * e))
    m.add("r_elbow", vec(-140 * e))
    m.add("r_wrist", vec(0, 0, 20 * e))
    m.add("neck", vec(-5 * amp * e))
    return [m]


def drink_water(u, amp, rng):
    m, e = _m(u), envelope(u, 0.3, 0.25)
    m.add("r_shoulder", vec(-40 * e, 35 * e, 5 * e))
    m.add("r_elbow", vec(-135 * e))
    m.add("neck_upper", vec(-18 * amp * ramp(u, 0.3, 0.45) * (1 - ramp(u, 0.65, 0.8))))
    return [m]


def pointing(u, amp, rng):
    m, e = _m(u), envelope(u, 0.25, 0.25)
    side_angle = rng.uniform(0, 45)
    m.add("r_shoulder", vec(-85 * amp * e, 0, -side_angle * e))
    m.add("r_elbow", vec(-8 * e))
    m.add("r_hand", vec(-10 * e))
    return [m]


def cheer_up(u, amp, rng):
    m, e = _m(u), envelope(u, 0.2, 0.2)
    cycles = rng.uniform(3, 6)
    m.repetitions = _visible_cycles(cycles, 0.2, 0.2)
    shake = oscillate(u, cycles)
    for side, s in (("r", 1.0), ("l", -1.0)):
        m.add(f"{side}_shoulder", vec(-20 * e, 0, s * (-150 - 15 * amp * shake) * e))
        m.add(f"{side}_elbow", vec((-35 + 20 * shake) * e))
    m.lift = 0.03 * amp * np.abs(shake) * e
    return [m]


def hands_up(u, amp, rng):
    m, e = _m(u), envelope(u, 0.25, 0.25)
    for side, s in (("r", 1.0), ("l", -1.0)):
        m.add(f"{side}_shoulder", vec(-20 * e, 0, s * -160 * e))
        m.add(f"{side}_elbow", vec(-10 * e))
    return [m]


def nod_bow(u, amp, rng):
    m = _m(u)
    b = keys(u, [(0.0, 0.0), (0.35, 1.0), (0.55, 1.0), (0.9, 0.0)]) * amp
    for joint, deg in (("spine1", 15), ("spine2", 12), ("spine3", 8), ("neck", 15)):
        m.add(joint, vec(deg * b))
    return [m]


def shake_head(u, amp, rng):
    m, e = _m(u), envelope(u, 0.15, 0.15)
    cycles = rng.uniform(2.5, 4.5)
    m.repetitions = _visible_cycles(cycles, 0.15, 0.15)
    m.add("neck_upper", vec(0, 35 * amp * oscillate(u, cycles) * e))
    return [m]


def arm_circles(u, amp, rng):
    m, e = _m(u), envelope(u, 0.15, 0.15)
    cycles = rng.uniform(2.5, 4.5)
    m.repetitions = _visible_cycles(cycles, 0.15, 0.15)
    c, s_ = oscillate(u, cycles, 0.25), oscillate(u, cycles)
    for side, s in (("r", 1.0), ("l", -1.0)):
        m.add(f"{side}_shoulder", vec(45 * amp * s_ * e, 0, s * (-90 - 45 * amp * c) * e))
    return [m]


def sitting_down(u, amp, rng, reverse: bool = False):
    m = _m(u)
    s = ramp(u, 0.15, 0.7)
    if reverse:
        s = 1.0 - s
    lean = np.sin(np.pi * s)  # lean forward while moving, upright when seated or standing
    for side in ("r", "l"):
        m.add(f"{side}_hip", vec(-90 * s))
        m.add(f"{side}_knee", vec(90 * s))
        m.add(f"{side}_shoulder", vec(-25 * s))
        m.add(f"{side}_elbow", vec(-50 * s))
    m.add("spine1", vec(30 * amp * lean))
    m.add("spine2", vec(10 * amp * lean))
    m.root_offset = vec(0, 0, -0.25 * s)
    return [m]


def standing_up(u, amp, rng):
    return sitting_down(u, amp, rng, reverse=True)


def squat_down(u, amp, rng):
    m = _m(u)
    s = ramp(u, 0.15, 0.65) * min(amp, 1.1)
    hands_on_knees = rng.uniform() < 0.3
    for side in ("r", "l"):
        m.add(f"{side}_hip", vec(-110 * s))
        m.add(f"{side}_knee", vec(125 * s))
        m.add(f"{side}_ankle", vec(-15 * s))
        m.add(f"{side}_shoulder", vec((-40 if hands_on_knees else -75) * s))
        m.add(f"{side}_elbow", vec((-30 if hands_on_knees else -15) * s))
    m.add("spine1", vec(25 * s))
    m.add("spine2", vec(10 * s))
    m.root_offset = vec(0, 0, -0.1 * s)
    return [m]


def kicking(u, amp, rng):
    m = _m(u)
    hip = keys(u, [(0.2, 0.0), (0.38, 15.0), (0.5, -75.0 * amp), (0.62, -20.0), (0.8, 0.0)])
    knee = keys(u, [(0.2, 0.0), (0.38, 80.0), (0.5, 10.0), (0.62, 40.0), (0.8, 0.0)])
    m.add("r_hip", vec(hip))
    m.add("r_knee", vec(knee))
    m.add("spine1", vec(-0.1 * np.maximum(-hip, 0)))
    m.add("l_shoulder", vec(-0.3 * np.maximum(-hip, 0), 0, 10 * ramp(u, 0.3, 0.45)))
    return [m]


def step_forward(u, amp, rng):
    m = _m(u)
    r_hip = keys(u, [(0.1, 0.0), (0.3, -30.0), (0.45, -22.0), (0.6, 15.0), (0.8, 0.0)])
    r_knee = keys(u, [(0.1, 0.0), (0.22, 45.0), (0.35, 5.0), (0.8, 0.0)])
    l_hip = keys(u, [(0.1, 0.0), (0.35, 15.0), (0.5, 20.0), (0.65, -30.0), (0.85, 0.0)])
    l_knee = keys(u, [(0.45, 0.0), (0.6, 50.0), (0.75, 5.0), (0.85, 0.0)])
    m.add("r_hip", vec(r_hip))
    m.add("r_knee", vec(r_knee))
    m.add("l_hip", vec(l_hip))
    m.add("l_knee", vec(l_knee))
    m.add("l_shoulder", vec(-0.6 * r_hip))
    m.add("r_shoulder", vec(-0.6 * l_hip))
    m.root_offset = vec(0, 0, 0.55 * amp * ramp(u, 0.15, 0.85))
    return [m]


def jump_up(u, amp, rng):
    m = _m(u)
    crouch = keys(u, [(0.1, 0.0), (0.3, 1.0), (0.4, 0.0), (0.6, 0.0), (0.7, 0.8), (0.9, 0.0)])
    air = ramp(u, 0.38, 0.5) * (1 - ramp(u, 0.5, 0.62))
    arms = keys(u, [(0.1, 0.0), (0.3, 30.0), (0.45, -150.0 * min(amp, 1.1)), (0.6, -60.0), (0.9, 0.0)])
    for side in ("r", "l"):
        m.add(f"{side}_hip", vec(-60 * crouch))
        m.add(f"{side}_knee", vec(90 * crouch))
        m.add(f"{side}_shoulder", vec(arms))
    m.add("spine1", vec(25 * crouch))
    m.lift = 0.3 * amp * air
    return [m]


def hopping(u, amp, rng):
    m, e = _m(u), envelope(u, 0.15, 0.15)
    cycles = rng.uniform(3, 6)
    m.repetitions = _visible_cycles(cycles, 0.15, 0.15)
    hop = oscillate(u, cycles)
    m.add("l_knee", vec(80 * e))
    m.add("l_hip", vec(-20 * e))
    m.add("r_knee", vec(20 * np.maximum(-hop, 0) * e))
    m.add("r_hip", vec(-10 * np.maximum(-hop, 0) * e))
    for side, s in (("r", 1.0), ("l", -1.0)):
        m.add(f"{side}_shoulder", vec(0, 0, s * -25 * e))
    m.lift = 0.1 * amp * np.maximum(hop, 0) * e
    return [m]


def pickup(u, amp, rng):
    m = _m(u)
    b = keys(u, [(0.1, 0.0), (0.4, 1.0), (0.55, 1.0), (0.85, 0.0)])
    m.add("spine1", vec(55 * amp * b))
    m.add("spine2", vec(25 * b))
    for side in ("r", "l"):
        m.add(f"{side}_hip", vec(-60 * b))
        m.add(f"{side}_knee", vec(85 * b))
    m.add("r_shoulder", vec(-65 * b, 0, 5 * b))
    m.add("l_shoulder", vec(-15 * b, 0, 15 * b))
    m.add("r_elbow", vec(-10 * b + -70 * ramp(u, 0.55, 0.85) * (1 - ramp(u, 0.85, 1.0))))
    return [m]


def handshaking(u, amp, rng):
    a, b = _m(u), _m(u)
    e = envelope(u, 0.25, 0.25)
    shake = oscillate(u, rng.uniform(2, 4)) * 12 * amp * ramp(u, 0.3, 0.4) * (1 - ramp(u, 0.65, 0.75))
    for m in (a, b):
        m.add("r_shoulder", vec(-45 * e, 40 * e, 8 * e))
        m.add("r_elbow", vec((-40 + shake) * e))
    return [a, b]


def pushing(u, amp, rng):
    pusher, pushed = _m(u), _m(u)
    reach = keys(u, [(0.1, 0.0), (0.35, 1.0), (0.55, 1.0), (0.85, 0.0)])
    extend = keys(u, [(0.3, 0.0), (0.45, 1.0), (0.6, 1.0), (0.85, 0.0)])
    for side, s in (("r", 1.0), ("l", -1.0)):
        pusher.add(f"{side}_shoulder", vec(-80 * reach, 0, s * 10 * reach))
        pusher.add(f"{side}_elbow", vec(-90 * reach * (1 - extend)))
        pushed.add(
            f"{side}_shoulder", vec(-30 * ramp(u, 0.4, 0.5) * (1 - ramp(u, 0.7, 0.9)), 0, s * -35 * ramp(u, 0.4, 0.5))
        )
    pusher.root_offset = vec(0, 0, 0.3 * ramp(u, 0.3, 0.5))
    pushed.root_offset = vec(0, 0, -0.45 * amp * ramp(u, 0.42, 0.6))
    pushed.add("spine1", vec(-20 * ramp(u, 0.42, 0.5) * (1 - ramp(u, 0.55, 0.8))))
    return [pusher, pushed]


ACTION_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("drink water", 1, 3.0, 1, drink_water),
    ActionSpec("pickup", 6, 3.0, 1, pickup),
    ActionSpec("sitting down", 8, 2.5, 1, sitting_down, one_sided=False),
    ActionSpec("standing up (from sitting position)", 9, 2.5, 1, standing_up, one_sided=False),
    ActionSpec("clapping", 10, 3.0, 1, clapping, one_sided=False),
    ActionSpec("cheer up", 22, 3.0, 1, cheer_up, one_sided=False),
    ActionSpec("hand waving", 23, 3.0, 1, hand_waving),
    ActionSpec("kicking something", 24, 2.0, 1, kicking),
    ActionSpec("hopping (one foot jumping)", 26, 3.0, 1, hopping),
    ActionSpec("jump up", 27, 2.0, 1, jump_up, one_sided=False),
    ActionSpec("pointing to something with finger", 31, 2.5, 1, pointing),
    ActionSpec("rub two hands together", 34, 3.0, 1, rub_hands, one_sided=False),
    ActionSpec("nod head/bow", 35, 2.0, 1, nod_bow, one_sided=False),
    ActionSpec("shake head", 36, 2.5, 1, shake_head, one_sided=False),
    ActionSpec("salute", 38, 2.5, 1, salute),
    ActionSpec("pushing other person", 52, 2.5, 2, pushing, one_sided=False),
    ActionSpec("handshaking", 58, 3.0, 2, handshaking, one_sided=False),
    ActionSpec("squat down", 80, 2.5, 1, squat_down, one_sided=False),
    ActionSpec("hands up (both hands)", 95, 2.5, 1, hands_up, one_sided=False),
    ActionSpec("arm circles", 97, 3.0, 1, arm_circles, one_sided=False),
    ActionSpec("step forward", 121, 2.0, 1, step_forward),
)

BY_NAME: dict[str, ActionSpec] = {a.name: a for a in ACTION_SPECS}
