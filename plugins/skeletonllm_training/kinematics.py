"""Kinematic facts of a clip: which parts move, where, how fast, how often, in which order.

The kinematic teacher, motion-based hard negatives and Motion QA all need
the same few facts about what a skeleton *does*, computed the same way on
every topology, unit and up axis. Everything is measured relative to the
body: positions relative to the torso centre (so walking does not make the
arms "move"), lengths divided by the person's standing height (so pixels,
millimetres and metres agree), directions in the body frame of
:mod:`.body`. Trajectories are smoothed with a Gaussian of 0.04 s (enough to
take out sensor jitter, short enough to keep a 4 Hz wave) and speeds are
displacements over 0.1 s, because jitter differentiated frame to frame would
otherwise look like fast motion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.sequence import SkeletonSequence

from .body import PARTS, BodyFrame, body_frame, body_parts
from .contacts import contacts, end_joint, interaction

#: a part "moves" when its range is at least this share of the most moving part's (and of the body)
MOVING_SHARE = 0.45
MOVING_MIN = 0.03
AIRBORNE = 0.03  # the lowest joint rises by this share of the height: the feet leave the ground
LOWERING = 0.08  # the torso drops by this share of the height: the body lowers (squat, sit, crouch)
DEFAULT_FPS = 30.0


@dataclass(frozen=True)
class PartMotion:
    """How one body part moves: range and speed in body heights, direction in the body frame."""

    part: str
    amount: float  # how far its most moving joint gets from the start pose, in heights
    speed: float  # 95th percentile speed of that joint, heights per second
    axis: str  # "up", "left" or "forward": the main axis of its back-and-forth
    net: str  # where it goes at its furthest from the start pose: "up", "down", "left", "forward", ...
    repetitions: int  # peaks of its trajectory along the main axis
    onset: float  # seconds until it has moved half of its largest displacement
    peak: float  # seconds until its largest displacement


@dataclass(frozen=True)
class PersonFacts:
    """One performer's motion facts (``parts`` sorted from most to least moving)."""

    parts: tuple[PartMotion, ...]
    moving: tuple[str, ...]
    side: str  # "left", "right", "both" or "none": which side's limbs move
    height: float  # standing height in file units
    lowering: float  # largest drop of the torso centre, in heights (>= 0)
    rising: float  # largest rise of the torso centre, in heights (>= 0)
    airborne: float  # largest rise of the lowest joint, in heights (>= 0)
    lowering_time: float | None
    airborne_time: float | None
    travel: dict[str, float]  # start-to-end displacement of the torso centre in the body frame, heights
    hands_meet: int  # frames in which the two hands are closer than CONTACT_HANDS
    hand_near_head: str | None  # "left", "right" or "both"
    contact_time: float | None

    @property
    def main(self) -> PartMotion:
        return self.parts[0]

    def part(self, name: str) -> PartMotion | None:
        return next((p for p in self.parts if p.part == name), None)


@dataclass(frozen=True)
class MotionFacts:
    """The facts of one clip: each present performer, the most active first, and their interaction."""

    persons: tuple[PersonFacts, ...]
    duration: float
    fps: float
    touching: bool  # a hand of one person comes close to the other's body
    distance_change: float  # change of the distance between the two people, in heights

    @property
    def main(self) -> PersonFacts:
        return self.persons[0]

    def events(self) -> list[tuple[float, str]]:
        """The main performer's phases in time order: part onsets, lowering, take-off, contact."""
        person = self.main
        found = [(p.onset, f"{p.part} moves") for p in person.parts if p.part in person.moving]
        if person.lowering >= LOWERING and person.lowering_time is not None:
            found.append((person.lowering_time, "body lowers"))
        if person.airborne >= AIRBORNE and person.airborne_time is not None:
            found.append((person.airborne_time, "feet leave the ground"))
        if person.contact_time is not None:
            found.append((person.contact_time, "contact"))
        return sorted(found)


def smooth(values: np.ndarray, weights: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Masked Gaussian smoothing along axis 0; returns the smoothed values and the smoothed weights."""
    radius = max(1, int(round(3 * sigma)))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / max(sigma, 1e-6)) ** 2)
    kernel /= kernel.sum()
    w = weights.astype(np.float64)
    num = np.apply_along_axis(lambda x: np.convolve(x, kernel, mode="same"), 0, values * w[..., None])
    den = np.apply_along_axis(lambda x: np.convolve(x, kernel, mode="same"), 0, w)
    return num / np.maximum(den, 1e-9)[..., None], den


def _direction(components: dict[str, float]) -> str:
    axis = max(components, key=lambda k: abs(components[k]))
    positive = components[axis] >= 0
    return {"up": ("up", "down"), "left": ("left", "right"), "forward": ("forward", "backward")}[axis][
        0 if positive else 1
    ]


def _repetitions(track: np.ndarray) -> int:
    """Out-and-back cycles of a joint: runs of its velocity along its main direction of motion, halved.

    Raising an arm and lowering it is one run out and one back (1); a wave adds a
    pair of runs per cycle, along the first or second direction of the velocity
    (the raise and the wave on top of it need not share one). Velocities under a
    third of the fastest do not start a run, so jitter and a held pose's drift
    are not counted.
    """
    if len(track) < 4:
        return 1
    velocity = np.diff(track, axis=0)
    _, _, vt = np.linalg.svd(velocity, full_matrices=False)
    threshold = 0.33 * float(np.linalg.norm(velocity, axis=1).max())
    best = 0
    for direction in vt[:2]:
        runs, sign = 0, 0
        for value in velocity @ direction:
            if abs(value) >= threshold and np.sign(value) != sign:
                runs, sign = runs + 1, int(np.sign(value))
        best = max(best, runs)
    return max(1, int(round(best / 2)))


def _part_motion(
    name: str, rel: np.ndarray, valid: np.ndarray, joints: tuple[int, ...], frame: BodyFrame, height: float, fps: float
) -> PartMotion | None:
    usable = [j for j in joints if valid[:, j].mean() > 0.5]
    if not usable:
        return None
    starts = {j: np.median(rel[: max(3, len(rel) // 10), j], axis=0) for j in usable}
    reach = {j: np.linalg.norm(rel[:, j] - starts[j], axis=1) for j in usable}
    joint = max(usable, key=lambda j: float(reach[j].max()))
    track, distance = rel[:, joint], reach[joint]
    peak_frame = int(np.argmax(distance))
    onset_frame = int(np.argmax(distance >= 0.5 * distance[peak_frame]))
    step = max(1, int(round(0.1 * fps)))  # displacement over 0.1 s: sensor jitter averages out
    speed = np.linalg.norm(track[step:] - track[:-step], axis=1) * fps / step if len(track) > step else np.zeros(1)
    centred = track - track.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axis = max(frame.components(vt[0]).items(), key=lambda kv: abs(kv[1]))[0]
    return PartMotion(
        part=name,
        amount=float(distance.max()) / height,
        speed=float(np.percentile(speed, 95)) / height,
        axis=axis,
        net=_direction(frame.components(track[peak_frame] - starts[joint])),
        repetitions=_repetitions(track),
        onset=onset_frame / fps,
        peak=peak_frame / fps,
    )


def _fill_gaps(positions: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Joint positions in frames where the joint is missing, interpolated from the frames around.

    A dropped joint is stored as zeros; left as is, it would look like a jump to the
    origin and dwarf every real movement.
    """
    out = positions.copy()
    frames = np.arange(len(positions))
    for joint in range(positions.shape[1]):
        ok = valid[:, joint]
        if ok.all() or not ok.any():
            continue
        for axis in range(positions.shape[2]):
            out[~ok, joint, axis] = np.interp(frames[~ok], frames[ok], positions[ok, joint, axis])
    return out


def analyse_person(sequence: SkeletonSequence, person: int) -> PersonFacts | None:
    """Facts of one performer, or ``None`` if they are present in under a fifth of the frames."""
    topology = sequence.topology
    fps = float(sequence.fps or DEFAULT_FPS)
    mask = sequence.mask[person]
    if mask.any(axis=1).mean() < 0.2:
        return None
    positions, weight = smooth(sequence.positions[person].astype(np.float64), mask, sigma=0.04 * fps)
    valid = weight > 0.2
    positions = _fill_gaps(positions, valid)
    frame = body_frame(topology, positions, valid)
    up = frame.up
    heights = [np.ptp(positions[t, valid[t]] @ up) for t in range(len(positions)) if valid[t].sum() >= 2]
    height = float(np.percentile(heights, 90)) if heights else 0.0
    if height <= 0:
        return None
    parts = body_parts(topology)
    torso = [j for j in parts.get("torso", ()) if valid[:, j].mean() > 0.5] or list(range(topology.num_joints))
    root = np.stack(
        [positions[t, [j for j in torso if valid[t, j]] or torso].mean(axis=0) for t in range(len(positions))]
    )
    rel = positions - root[:, None]
    motions = [_part_motion(n, rel, valid, j, frame, height, fps) for n, j in parts.items()]
    ordered = tuple(sorted((m for m in motions if m is not None), key=lambda m: -m.amount))
    if not ordered:
        return None
    top = ordered[0].amount
    moving = tuple(m.part for m in ordered if m.amount >= max(MOVING_SHARE * top, MOVING_MIN))
    sides = {s for s in ("left", "right") if any(p.startswith(s) for p in moving)}
    side = "both" if len(sides) == 2 else (sides.pop() if sides else "none")
    if side == "both":  # one limb clearly dominant over its mirror: that side
        side = _dominant_side(ordered, moving)

    horizontal = root - np.outer(root @ up, up)
    lowest = np.array([(positions[t, valid[t]] @ up).min() if valid[t].any() else np.nan for t in range(len(root))])
    lowest = np.nan_to_num(lowest, nan=float(np.nanmedian(lowest)))
    height_track = root @ up - lowest  # torso above the feet: a tilted camera or floor cannot fake a squat
    start_level = np.median(height_track[: max(3, len(height_track) // 10)])
    lowest = _level(lowest, horizontal, height)
    ground = np.percentile(lowest, 10)
    hands = [end_joint(parts.get(p, ()), rel, valid) for p in ("left_arm", "right_arm")]
    meet, near, contact_time = contacts(positions, valid, hands, parts.get("head", ()), height, fps)
    return PersonFacts(
        parts=ordered,
        moving=moving,
        side=side,
        height=height,
        lowering=max(0.0, float(start_level - height_track.min()) / height),
        rising=max(0.0, float(height_track.max() - start_level) / height),
        airborne=max(0.0, float(lowest.max() - ground) / height),
        lowering_time=float(np.argmin(height_track)) / fps,
        airborne_time=float(np.argmax(lowest)) / fps,
        travel={k: v / height for k, v in frame.components(root[-1] - root[0]).items() if k != "up"},
        hands_meet=meet,
        hand_near_head=near,
        contact_time=contact_time,
    )


def _level(track: np.ndarray, horizontal: np.ndarray, height: float) -> np.ndarray:
    """Remove the height change explained by travel across a tilted floor (a camera pitched by a few degrees).

    Kinect files are in camera space, so a performer stepping towards a camera that
    looks down seems to sink; a linear fit of height on horizontal position, made only
    when the body travels, takes that out and leaves jumps and squats alone.
    """
    centred = horizontal - horizontal.mean(axis=0)
    if np.linalg.norm(np.ptp(centred, axis=0)) < 0.1 * height:
        return track
    coef, *_ = np.linalg.lstsq(centred, track - track.mean(), rcond=None)
    return track - centred @ coef


def _dominant_side(ordered: tuple[PartMotion, ...], moving: tuple[str, ...]) -> str:
    amounts = {m.part: m.amount for m in ordered}
    for limb in ("arm", "leg"):
        left, right = amounts.get(f"left_{limb}", 0.0), amounts.get(f"right_{limb}", 0.0)
        if f"left_{limb}" in moving or f"right_{limb}" in moving:
            if left > 1.6 * right:
                return "left"
            if right > 1.6 * left:
                return "right"
    return "both"


def analyse(sequence: SkeletonSequence) -> MotionFacts:
    """All facts of a clip; raises if no person is present long enough to describe."""
    fps = float(sequence.fps or DEFAULT_FPS)
    found = [(m, f) for m in range(sequence.num_persons) if (f := analyse_person(sequence, m)) is not None]
    if not found:
        source = sequence.meta.get("source", "the clip")
        raise SkeletonLLMError(f"{source}: no person is present in a fifth of the frames; nothing to describe")
    found.sort(key=lambda mf: -mf[1].main.amount)
    touching, change = False, 0.0
    if len(found) >= 2:
        touching, change = interaction(sequence, found[0][0], found[1][0], found[0][1].height)
    return MotionFacts(
        persons=tuple(f for _, f in found),
        duration=sequence.num_frames / fps,
        fps=fps,
        touching=touching,
        distance_change=change,
    )


__all__ = ["PARTS", "MotionFacts", "PartMotion", "PersonFacts", "analyse", "analyse_person", "smooth"]
