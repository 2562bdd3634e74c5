"""Does a caption say what the clip shows? Side, moving part and repetition count, checked against the joints.

BLEU and its kin reward a caption that sounds like the references; a caption can
score well and still name the wrong hand. This check reads the few facts a motion
caption commonly states and compares each with the clip's kinematic facts
(:func:`.kinematics.analyse`, the same ones the teacher and Motion QA read):

- **side**: "left" / "right" in the caption against the side of the most moving
  limb, "both" against both sides' limbs moving (``PersonFacts.side``);
- **part**: the body part the caption names (hand/arm, foot/leg/kick, head/nod)
  against the most moving part (arms and legs of either side; the torso and
  whole-body words are not checked);
- **repetitions**: "once", "twice", "<n> times" against the most moving part's
  measured repetitions, within one (the measurement counts out-and-back runs of a
  smoothed trajectory, so a five-clap clip may measure four).

A caption that states none of the three is not counted as agreeing. Checkers are a
table (``CHECKS``): another fact (direction, style) is one more entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .kinematics import MotionFacts

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_NUMBERS.update({"ten": 10, "eleven": 11, "twelve": 12})
_PART_WORDS = {
    "arm": (
        "hand",
        "hands",
        "arm",
        "arms",
        "wave",
        "waves",
        "waving",
        "claps",
        "clapping",
        "salute",
        "salutes",
        "points",
        "pointing",
        "drinks",
    ),
    "leg": ("foot", "feet", "leg", "legs", "kick", "kicks", "kicking", "steps", "hops", "hopping"),
    "head": ("head", "nods", "nod", "nodding"),
}


def stated_side(caption: str) -> str | None:
    words = set(re.findall(r"[a-z]+", caption.lower()))
    if "both" in words:
        return "both"
    sides = words & {"left", "right"}
    return sides.pop() if len(sides) == 1 else ("both" if sides else None)


def stated_part(caption: str) -> str | None:
    text = f" {caption.lower()} "
    found = [part for part, words in _PART_WORDS.items() if any(f" {w} " in text or f" {w}," in text for w in words)]
    return found[0] if len(found) == 1 else None


def stated_repetitions(caption: str) -> int | None:
    text = caption.lower()
    if re.search(r"\bonce\b", text):
        return 1
    if re.search(r"\btwice\b", text):
        return 2
    match = re.search(r"\b(\d+|" + "|".join(_NUMBERS) + r") times\b", text)
    if match:
        word = match.group(1)
        return int(word) if word.isdigit() else _NUMBERS[word]
    return None


def _side(caption: str, facts: MotionFacts) -> bool | None:
    """ "both" agrees with both sides moving; "left"/"right" with the side of the most moving limb.

    The most moving limb, not ``PersonFacts.side``: a kick swings the opposite arm for
    balance, which can make the arms' side the other one.
    """
    said = stated_side(caption)
    if said is None:
        return None
    person = facts.main
    if said == "both":
        return person.side == "both"
    limb_side = person.main.part.split("_")[0]
    return said == (limb_side if limb_side in ("left", "right") else person.side)


def _part(caption: str, facts: MotionFacts) -> bool | None:
    said = stated_part(caption)
    if said is None:
        return None
    main = facts.main.main.part
    return main == said or main.endswith(f"_{said}")


def _repetitions(caption: str, facts: MotionFacts) -> bool | None:
    said = stated_repetitions(caption)
    return None if said is None else abs(said - facts.main.main.repetitions) <= 1


#: fact -> checker: True (agrees), False (contradicts), None (the caption does not say)
CHECKS: dict[str, Callable[[str, MotionFacts], bool | None]] = {
    "side": _side,
    "part": _part,
    "repetitions": _repetitions,
}


def check(caption: str, facts: MotionFacts) -> dict[str, bool | None]:
    """Each fact the caption states: whether it agrees with the clip's kinematic facts."""
    return {name: fn(caption, facts) for name, fn in CHECKS.items()}


def agreement(results: list[dict[str, bool | None]]) -> dict[str, float]:
    """``fact_agreement`` (captions stating a fact, all stated facts right), per fact, and ``facts_stated``."""
    out: dict[str, float] = {}
    stated = [r for r in results if any(v is not None for v in r.values())]
    out["facts_stated"] = len(stated) / len(results) if results else float("nan")
    out["fact_agreement"] = (
        sum(all(v for v in r.values() if v is not None) for r in stated) / len(stated) if stated else float("nan")
    )
    for name in CHECKS:
        said = [r[name] for r in results if r[name] is not None]
        out[f"fact_agreement_{name}"] = sum(said) / len(said) if said else float("nan")
    return out
