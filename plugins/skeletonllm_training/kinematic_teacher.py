"""The ``kinematic`` teacher: a per-clip rationale written from what the skeleton does.

The paper distils rationales from a large model that watched the clip. The
offline stand-in must at least be *about the clip*: which body parts move,
which way, how fast, how often, what touches what and in which order, read
off the joints by :mod:`.kinematics`. So two clips of one class performed at
different speeds, or with the other hand, get different texts, and two
classes that move different limbs never share one. The structure follows the
paper: a one-line summary, numbered steps, then (added by the stage) the
``Label:`` line. With ``know_label=False`` the last step does not name the
class, for the paper's Table 8 variant whose teacher is not told the label.
"""

from __future__ import annotations

from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import PluginOptions, Teacher
from skeletonllm.tasks import ClipContext

from .kinematics import AIRBORNE, LOWERING, MotionFacts, PartMotion, PersonFacts, analyse

_AXIS = {"up": "up and down", "left": "sideways", "forward": "forwards and backwards"}
_NET = {
    "up": "upwards",
    "down": "downwards",
    "left": "to the body's left",
    "right": "to the body's right",
    "forward": "forwards",
    "backward": "backwards",
}
_WHERE = {
    "up": "above",
    "down": "below",
    "left": "to the body's left of",
    "right": "to the body's right of",
    "forward": "in front of",
    "backward": "behind",
}
_END = {"arm": "hand", "leg": "foot", "head": "head", "torso": "upper body"}


def part_words(part: str) -> str:
    """``right_arm`` -> ``right arm``: group names as a reader says them."""
    return part.replace("_", " ")


def end_words(part: str) -> str:
    """The part's moving end as a reader names it: ``right_arm`` -> ``right hand``."""
    side, _, limb = part.rpartition("_")
    end = _END.get(limb or part, part_words(part))
    return f"{side} {end}".strip() if limb in ("arm", "leg") else end


def pace(speed: float) -> str:
    """Words for a peak speed in body heights per second."""
    if speed < 0.8:
        return "slowly"
    if speed < 2.0:
        return "at a moderate pace"
    return "fast"


def how_often(part: PartMotion) -> str:
    if part.repetitions <= 1:
        return "a single movement out and back, not repeated."
    return f"the movement repeats about {part.repetitions} times."


def _listing(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" and {words[-1]}"


def summary(facts: MotionFacts) -> str:
    """One line: who, which part, which way, how fast, how often."""
    person = facts.main
    who = "Two people" if len(facts.persons) >= 2 else "One person"
    main = person.main
    names = [part_words(p) for p in person.moving[:3]]
    if not names:  # every part below the threshold of motion: say so instead of naming none
        return f"Summary: {who}; hardly anything moves, at most the {end_words(main.part)}, {pace(main.speed)}."
    verb = "moves" if len(names) == 1 else "move"
    times = f", about {main.repetitions} times" if main.repetitions > 1 else ""
    return f"Summary: {who}; mainly the {_listing(names)} {verb}, the {end_words(main.part)} going {_NET[main.net]} {pace(main.speed)}{times}."


def _contacts(person: PersonFacts) -> str:
    found = []
    if person.hands_meet:
        found.append("the two hands come together in front of the body")
    if person.hand_near_head:
        which = "both hands come" if person.hand_near_head == "both" else f"the {person.hand_near_head} hand comes"
        found.append(f"{which} close to the head")
    if not found:
        return "the hands neither meet nor come close to the head."
    return "; ".join(found) + "."


def _body(person: PersonFacts) -> str:
    found = []
    if person.lowering >= LOWERING:
        found.append(f"the body lowers by about {round(100 * person.lowering)}% of its height")
    if person.airborne >= AIRBORNE:
        found.append(f"the feet leave the ground by about {round(100 * person.airborne)}% of the body's height")
    travel = {k: v for k, v in person.travel.items() if abs(v) >= 0.15}
    for axis, value in travel.items():
        direction = {"left": ("to its left", "to its right"), "forward": ("forwards", "backwards")}[axis]
        found.append(f"the whole body travels {direction[0 if value > 0 else 1]} ({abs(value):.1f} body heights)")
    if not found:
        return "the body stays in place at the same height."
    return "; ".join(found) + "."


def _order(facts: MotionFacts) -> str | None:
    events = []
    for _, event in facts.events():
        words = event.replace("_", " ")
        words = f"the {words}" if not words.startswith(("body", "feet", "contact")) else words
        words = {"contact": "a contact begins", "body lowers": "the body lowers"}.get(words, words)
        words = "the feet leave the ground" if words == "feet leave the ground" else words
        if words not in events:
            events.append(words)
    if len(events) < 2:
        return None
    return "Order of phases: first " + ", then ".join(events) + "."


def steps(facts: MotionFacts) -> list[str]:
    """The numbered step texts (without numbers) for a clip's facts."""
    person = facts.main
    main = person.main
    moving = [p for p in person.parts if p.part in person.moving]
    still = [part_words(p.part) for p in person.parts if p.part not in person.moving]
    parts = "; ".join(f"the {part_words(p.part)} reaches {p.amount:.2f} body heights from its start" for p in moving)
    side = {"left": "the left side leads", "right": "the right side leads", "both": "both sides move"}.get(person.side)
    out = [
        f"Moving parts: {parts}" + (f"; {side}" if side else "") + (f"; still: {_listing(still)}." if still else "."),
        f"Direction: the {end_words(main.part)} moves mainly {_AXIS[main.axis]}, and at its furthest it is "
        f"{_WHERE[main.net]} where it started.",
        f"Speed: it moves {pace(main.speed)}, at up to {main.speed:.1f} body heights per second, "
        f"in a clip of {facts.duration:.1f} s.",
        f"Repetition: {how_often(main)}",
        f"Contacts: {_contacts(person)}",
        f"Whole body: {_body(person)}",
    ]
    order = _order(facts)
    if order:
        out.append(order)
    if len(facts.persons) >= 2:
        other = facts.persons[1]
        touch = "a hand touches the other person" if facts.touching else "they do not touch"
        gap = facts.distance_change
        apart = "they move apart" if gap > 0.15 else ("they come closer" if gap < -0.15 else "their distance stays")
        out.append(f"Partner: the second person mainly moves the {part_words(other.main.part)}; {touch}; {apart}.")
    return out


class KinematicTeacherOptions(PluginOptions):
    summary_line: bool = Field(True, description="start with the one-line 'Summary:' the paper's rationales have")


class KinematicTeacher(Teacher):
    """Rationales from the clip's own joints (offline default); see the module docstring."""

    name = "kinematic"
    summary = "Per-clip rationales from the skeleton's kinematics: parts, direction, speed, repeats, contacts, order"
    Options = KinematicTeacherOptions
    #: it analyses the clip itself, so it is the teacher that describes a clip it is not told the class of
    #: (what the app shows beside the model's answer)
    default_for = ("describe",)

    def rationale(self, clip: ClipContext, *, know_label: bool = True) -> str:
        if clip.sequence is None:
            raise SkeletonLLMError(
                f"kinematic teacher: clip {clip.sample_id!r} came without its skeleton sequence; "
                "the teacher describes the joints, so the stage must pass the loaded clip"
            )
        facts = analyse(clip.sequence)
        lines = [summary(facts)] if self.options.summary_line else []
        body = steps(facts)
        if know_label:
            body.append(f"Conclusion: these movements are characteristic of '{clip.class_name}'.")
        else:
            body.append("Conclusion: the action is the one these movements characterise.")
        lines += [f"Step {i}: {text}" for i, text in enumerate(body, start=1)]
        return "\n".join(lines)
