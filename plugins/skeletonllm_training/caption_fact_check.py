"""Does a generated caption say what the clip shows? The side, moving part, direction and style it states,
checked against the clip's label facts first and its kinematic facts where the label says nothing.

BLEU and its kin reward a caption that sounds like the references; "a person waves the right hand" scores
well against "a person waves the left hand". This check reads the four facts a motion caption commonly
states and compares each with the truth about the clip:

- **side**: "left/right/both" + hand, arm, foot or leg, against the label's side (Bandai's one-handed
  contents, MSRC-12's "push right") or else the side of the most moving limb;
- **part**: hands and arms (wave, punch, push, ...), feet and legs (kick, walk, run, ...) or the body
  (bow, duck, crouch) against the label's part or else the most moving part; agrees when the clip's part is
  among those named;
- **direction**, on four axes, each compared only where the truth knows it: the turn (left / right /
  straight: Bandai's turns and sideways walks, else the measured heading of a travelling body), forward / backward (the label,
  else the body's travel), up / down (the label, else the most moving part's way) and closer / apart for two
  people (the label, else the measured distance); a caption naming both ways of one axis states neither;
- **style**: the style words of :data:`STYLE_WORDS` (synonyms share a concept: "tired" and "exhausted",
  "old" and "elderly") against the label's style; only clips with a style are checked;
- **repetitions**: "once", "twice", "<n> times" against the label's count (MSRC-12's instants) or else the
  most moving part's measured repetitions, within one (the measurement counts out-and-back runs of a
  smoothed trajectory, so a five-clap clip may measure four).

Each check says True (agrees), False (contradicts) or None (the caption does not state it, or the truth is
unknown). The label facts are ``Sample.meta['facts']`` (``skeletonllm_datasets``' caption rules, SynthAct's
facts), carried into the caption example as ``meta['facts']``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import MetricResult, Table
from skeletonllm.stats import proportion

from .kinematics import MotionFacts
from .label_checks import distance_trend, heading_change, turn_of

FACTS = ("side", "part", "direction", "style", "repetitions")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_NUMBERS.update({"ten": 10, "eleven": 11, "twelve": 12})
_LIMB = r"(?:hand|hands|arm|arms|foot|feet|leg|legs|fist|fists)"
_PART_WORDS = {
    "arm": r"hands?|arms?|fists?|wav\w*|punch\w*|push\w*|shov\w*|claps?|clapping|salut\w*|point\w*|throw\w*|"
    r"beckon\w*|hug\w*|slash\w*|goggles|pistol|shoot\w*",
    "leg": r"foot|feet|legs?|kick\w*|walk\w*|runs?|running|steps?|stepping|jog\w*|dash\w*|sprint\w*|hop\w*",
    "body": r"bows?|bowing|duck\w*|crouch\w*",
}
#: axis -> value -> pattern (lower-case text)
_DIRECTIONS = {
    "lateral": {
        "left": r"\bturn(?:s|ing)? (?:to (?:the|its|their) )?left\b|\bleft turn\b|\bto(?:wards)? the left\b",
        "right": r"\bturn(?:s|ing)? (?:to (?:the|its|their) )?right\b|\bright turn\b|\bto(?:wards)? the right\b",
        "straight": r"\bstraight\b|\bwithout turning\b|\bdoes not turn\b",
    },
    "travel": {
        "forward": r"\bforwards?\b|\bahead\b",
        "backward": r"\bbackwards?\b|\b(?:walks?|steps?|moves?) back\b",
    },
    "vertical": {
        "up": r"\bup\b(?! to\b)|\bupwards?\b|\braises?\b|\blifts?\b",
        "down": r"\bdown\b|\bdownwards?\b|\blowers?\b|\bbows?\b|\bducks?\b|\bcrouch\w*",
    },
    "partner": {
        "closer": r"\bapproach\w*|\btowards\b|\bcloser\b|\bup to\b",
        "apart": r"\baway\b|\bapart\b|\bleav\w+|\b(?:walks?|moves?) off\b",
    },
}
#: style concept -> the words that state it (a dataset's style name maps to the concept that lists it)
STYLE_WORDS = {
    "active": ("active", "energetic", "energetically", "lively"),
    "elderly": ("elderly", "old", "aged"),
    "exhausted": ("exhausted", "tired", "tiredly", "weary", "wearily"),
    "feminine": ("feminine", "femininely", "womanly"),
    "masculine": ("masculine", "masculinity", "manly"),
    "normal": ("normal", "normally", "ordinary"),
    "youthful": ("youthful", "youthfully", "young"),
    "happy": ("happy", "happily", "cheerful", "cheerfully"),
    "sad": ("sad", "sadly"),
    "angry": ("angry", "angrily"),
    "proud": ("proud", "proudly"),
    "not confident": ("unconfident", "timid", "timidly", "not-confident"),
    "childish": ("childish", "childlike", "child"),
    "musical": ("musical", "rhythmic", "rhythmically"),
    "giant": ("giant",),
    "chimpira": ("chimpira", "thug", "thuggish"),
}
_STYLE_OF_WORD = {w: concept for concept, words in STYLE_WORDS.items() for w in words}
MIN_TRAVEL = 0.5  # body heights the torso must travel for "forward"/"backward" to be measured


def style_concept(name: str) -> str:
    low = name.lower().strip()
    return _STYLE_OF_WORD.get(low, _STYLE_OF_WORD.get(low.replace("-", " "), low.replace("-", " ")))


@dataclass(frozen=True)
class ClipTruth:
    """What the clip shows, fact by fact (``None``: unknown); ``sources`` says label or skeleton for each."""

    side: str | None = None
    part: str | None = None
    directions: dict[str, str] = field(default_factory=dict)
    style: str | None = None
    repetitions: int | None = None
    sources: dict[str, str] = field(default_factory=dict)


def clip_truth(label: Mapping[str, Any] | None, motion: MotionFacts | None, sequence=None) -> ClipTruth:  # noqa: ANN001
    """The truth about a clip from its label facts, completed by its kinematic facts (and sequence)."""
    label = label or {}
    sources: dict[str, str] = {}
    side, part, directions = label.get("side"), label.get("part"), {}
    if side:
        sources["side"] = "label"
    elif motion is not None:
        limb = motion.main.main.part
        side = limb.split("_")[0] if limb.split("_")[0] in ("left", "right") else motion.main.side
        side, sources["side"] = (side if side in ("left", "right", "both") else None), "skeleton"
    if part:
        sources["part"] = "label"
    elif motion is not None:
        limb = motion.main.main.part.rpartition("_")[2]
        part, sources["part"] = ({"arm": "arm", "leg": "leg"}.get(limb, "body")), "skeleton"
    said = label.get("direction")
    for axis, value in (("lateral", label.get("turn")), ("partner", label.get("distance"))):
        if value in _DIRECTIONS[axis]:
            directions[axis] = value
    for axis, values in _DIRECTIONS.items():
        if said in values and axis not in directions:
            directions[axis] = said
    if motion is not None and sequence is not None:
        _measured_directions(directions, motion, sequence)
    style = style_concept(label["style"]) if label.get("style") else None
    repetitions = label.get("instances")
    if repetitions is not None:
        sources["repetitions"] = "label"
    elif motion is not None:
        repetitions, sources["repetitions"] = motion.main.main.repetitions, "skeleton"
    return ClipTruth(side, part, directions, style, repetitions, sources)


def _measured_directions(directions: dict[str, str], motion: MotionFacts, sequence) -> None:  # noqa: ANN001
    person = motion.main
    if "lateral" not in directions:
        turn = turn_of(heading_change(sequence, person.height))
        if turn is not None:
            directions["lateral"] = turn
    forward = person.travel.get("forward", 0.0)
    if "travel" not in directions and abs(forward) >= MIN_TRAVEL:
        directions["travel"] = "forward" if forward > 0 else "backward"
    if "vertical" not in directions and person.main.axis == "up" and person.main.net in ("up", "down"):
        directions["vertical"] = person.main.net
    if "partner" not in directions and len(motion.persons) >= 2:
        trend = distance_trend(sequence, person.height)
        if trend in ("closer", "apart"):
            directions["partner"] = trend


def stated_repetitions(text: str) -> int | None:
    """ "once", "twice", "<n> times" (digits or words up to twelve) in lower-case text, else None."""
    if re.search(r"\bonce\b", text):
        return 1
    if re.search(r"\btwice\b", text):
        return 2
    match = re.search(r"\b(\d+|" + "|".join(_NUMBERS) + r") times\b", text)
    if match:
        word = match.group(1)
        return int(word) if word.isdigit() else _NUMBERS[word]
    return None


def stated(caption: str) -> dict[str, Any]:
    """The side, parts, directions (axis -> value), style concepts and repetitions a caption states."""
    text = " ".join(re.findall(r"[a-z]+(?:-[a-z]+)?", caption.lower()))
    sides = set(re.findall(rf"\b(left|right) {_LIMB}\b", text)) | (
        {"both"} if re.search(rf"\bboth {_LIMB}\b", text) else set()
    )
    side = "both" if "both" in sides or sides == {"left", "right"} else (sides.pop() if sides else None)
    parts = {part for part, words in _PART_WORDS.items() if re.search(rf"\b(?:{words})\b", text)}
    directions = {}
    for axis, values in _DIRECTIONS.items():
        found = {value for value, pattern in values.items() if re.search(pattern, text)}
        if len(found) == 1:  # both ways of one axis ("up and down") state neither
            directions[axis] = found.pop()
    styles = {_STYLE_OF_WORD[w] for w in text.split() if w in _STYLE_OF_WORD}
    if "without confidence" in text or "not confident" in text:
        styles.add("not confident")
    said = {"side": side, "parts": parts, "directions": directions, "styles": styles}
    return said | {"repetitions": stated_repetitions(caption.lower())}


def check(caption: str, truth: ClipTruth) -> dict[str, bool | None]:
    """Fact -> True (the caption states it and it agrees), False (contradicts), None (not stated or unknown)."""
    said = stated(caption)
    out: dict[str, bool | None] = dict.fromkeys(FACTS)
    if said["side"] and truth.side:
        out["side"] = said["side"] == truth.side
    if said["parts"] and truth.part:
        out["part"] = truth.part in said["parts"]
    compared = [said["directions"][a] == truth.directions[a] for a in said["directions"] if a in truth.directions]
    if compared:
        out["direction"] = all(compared)
    if said["styles"] and truth.style:
        out["style"] = said["styles"] == {truth.style}
    if said["repetitions"] is not None and truth.repetitions is not None:
        out["repetitions"] = abs(said["repetitions"] - truth.repetitions) <= 1
    return out


def summarise(results: list[dict[str, bool | None]], prefix: str = "fact_check") -> dict[str, Any]:
    """``{prefix}_agreement`` (captions stating a fact whose stated facts all agree), ``{prefix}_checked`` (the share
    of captions stating a fact whose truth is known), and
    per fact ``{prefix}_<fact>``, each a Wilson :class:`~skeletonllm.stats.Interval` (n = captions judged)."""
    stating = [r for r in results if any(v is not None for v in r.values())]
    out = {
        f"{prefix}_agreement": proportion([all(v for v in r.values() if v is not None) for r in stating]),
        f"{prefix}_checked": proportion([any(v is not None for v in r.values()) for r in results]),
    }
    for fact in FACTS:
        out[f"{prefix}_{fact}"] = proportion([r[fact] for r in results if r.get(fact) is not None])
    return out


def _truth(caption) -> ClipTruth:  # noqa: ANN001 - a caption_metric.ScoredCaption
    motion = None
    if caption.sequence is not None:
        from .kinematics import analyse

        try:
            motion = analyse(caption.sequence)
        except SkeletonLLMError:  # no describable person: the label alone is the truth
            motion = None
    return clip_truth(caption.facts if isinstance(caption.facts, Mapping) else None, motion, caption.sequence)


def fact_check_result(captions: list, result: MetricResult) -> None:
    """Add the fact check of every caption (and of each clip's first reference, the ceiling) to ``result``."""
    truths = [_truth(c) for c in captions]
    if not any(t.side or t.part or t.directions or t.style or t.repetitions is not None for t in truths):
        result.notes["fact_check"] = "no clip came with label facts or a sequence to analyse: no fact check"
        return
    generated = [check(c.hypothesis, t) for c, t in zip(captions, truths, strict=True)]
    references = [check(c.references[0], t) for c, t in zip(captions, truths, strict=True)]
    figures = summarise(generated)
    ceiling = summarise(references)
    figures["fact_check_agreement_references"] = ceiling["fact_check_agreement"]
    for name, interval in figures.items():
        if interval.n:
            result.values[name] = interval.value
            result.intervals[name] = interval
    result.notes["fact_check_agreement"] = (
        "share of captions stating a side, moving part, direction, style or repetition count whose stated facts all agree with the "
        "clip's label facts (else its kinematic facts); Wilson 95 % over the captions that state one; "
        "fact_check_<fact> per fact; fact_check_agreement_references: the same check of each clip's first "
        "reference (the ceiling the check allows)"
    )
    rows = []
    for fact in FACTS:
        made = [r[fact] for r in generated if r[fact] is not None]
        refs = [r[fact] for r in references if r[fact] is not None]
        known = sum((t.directions if fact == "direction" else getattr(t, fact)) not in (None, "", {}) for t in truths)
        rows.append((fact, f"{sum(made)}/{len(made)}", f"{sum(refs)}/{len(refs)}", f"{known} of {len(truths)}"))
    result.tables.append(
        Table(
            "Caption fact check",
            ("fact", "generated: agree / stated", "first reference: agree / stated", "clips whose truth is known"),
            tuple(rows),
        )
    )


__all__ = [
    "FACTS",
    "STYLE_WORDS",
    "ClipTruth",
    "check",
    "clip_truth",
    "fact_check_result",
    "stated",
    "stated_repetitions",
    "style_concept",
    "summarise",
]
