"""Motion QA: questions about a clip whose answers are computed from the clip itself.

The paper's four kinds of question, each a four-option :class:`TaskExample`
(``kind=QA``) with the correct option as ``answer``, an open answer sentence
as its reference, and ``meta['qa_kind']``:

- **temporal**: what happens first, what happens after something;
- **causal**: why the body changes height (the knees bend and the body
  lowers before the legs push it off the ground), why the hands come close
  to something, why the body changes place;
- **fine-grained**: which hand or leg, how many times, how fast compared
  with the usual performance (SynthAct's generator knows the drawn speed);
- **contrastive**: how this clip differs from another class's typical motion
  (the class's mean kinematic profile over the training clips).

Answers come from :mod:`.kinematics` (and SynthAct's ``meta['synth']`` when
present), never from the class name, so the questions are about motion.
A question that a clip cannot support (no phases to order, no other class
to contrast with) is simply not asked of that clip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from skeletonllm.tasks import TaskExample, TaskKind, choice_line

from .kinematic_teacher import end_words
from .kinematics import AIRBORNE, LOWERING, MotionFacts
from .motion_negatives import FEATURES

QA_KINDS = ("temporal", "causal", "fine_grained", "contrastive")
SIDE_RATIO = 1.6  # one limb moves this much more than its mirror: that side, else both
_EVENT_POOL = (
    "the left arm moves",
    "the right arm moves",
    "the left leg moves",
    "the right leg moves",
    "the head moves",
    "the body lowers",
    "the feet leave the ground",
    "the hands meet",
)


def _event_words(event: str) -> str:
    words = event.replace("_", " ")
    return {"body lowers": "the body lowers", "feet leave the ground": "the feet leave the ground"}.get(
        words, "a contact begins" if words == "contact" else f"the {words}"
    )


def _example(kind: str, question: str, answer: str, wrong: Sequence[str], sentence: str, rng) -> TaskExample | None:
    """Four shuffled options (the answer and three distinct wrong ones), or ``None`` if too few exist."""
    distinct = [w for w in dict.fromkeys(wrong) if w != answer]
    if len(distinct) < 3:
        return None
    picked = [distinct[i] for i in rng.choice(len(distinct), size=3, replace=False)]
    options = [answer, *picked]
    rng.shuffle(options)
    return TaskExample(
        TaskKind.QA,
        target=choice_line(answer),
        answer=answer,
        candidates=options,
        question=question,
        references=(sentence,),
        meta={"qa_kind": kind},
    )


def temporal(facts: MotionFacts, rng) -> TaskExample | None:
    events = []
    for _, event in facts.events():
        words = _event_words(event)
        if words not in events:
            events.append(words)
    absent = [e for e in _EVENT_POOL if e not in events]
    if len(events) >= 3 and rng.uniform() < 0.5:
        k = int(rng.integers(0, len(events) - 1))
        question = f"What happens right after {events[k]}?"
        answer = events[k + 1]
        wrong = [e for i, e in enumerate(events) if i not in (k, k + 1)] + absent
        return _example("temporal", question, answer, wrong, f"Right after {events[k]}, {answer}.", rng)
    if not events:
        return None
    answer = events[0]
    later = ", then ".join(events[1:])
    sentence = f"First {answer}" + (f", then {later}." if later else ".")
    return _example("temporal", "What happens first?", answer, events[1:] + absent, sentence, rng)


# Causal questions are always asked, and their answer is whatever this clip shows: a question
# asked only when its premise holds ("what lets the body leave the ground?") would have one
# fixed answer, learnable from its wording alone.
HEIGHT_QUESTION = "Why does the height of the body change, if it does?"
HEIGHT_ANSWERS = {
    "jump": "the knees bend and the body lowers first, then the legs push it off the ground",
    "lower": "the hips and knees bend and the body lowers",
    "hop": "the legs push it off the ground without a crouch first",
    "none": "it does not change height",
}
REACH_QUESTION = "Why do the hands come close to something, if they do?"
REACH_ANSWERS = {
    "head": "an arm bends and rises to bring a hand to the head",
    "hands": "the arms bring the two hands together in front of the body",
    "partner": "a hand reaches out to the other person",
    "none": "the hands do not come close to anything",
}
PUSHED_APART = 0.08  # the two people end this many body heights further apart than they started
PLACE_QUESTION = "Why does the whole body change place, if it does?"
PLACE_ANSWERS = {
    "push": "one person pushes the other away",
    "step": "the legs step and carry it",
    "none": "it does not change place",
    "jump": "it jumps to a new place",
}


def _height_cause(facts: MotionFacts) -> str:
    person = facts.main
    lowered, off = person.lowering >= LOWERING, person.airborne >= AIRBORNE
    if off and lowered and person.lowering_time is not None and person.airborne_time is not None:
        return "jump" if person.lowering_time < person.airborne_time else "hop"
    return "hop" if off else ("lower" if lowered else "none")


def _reach_cause(facts: MotionFacts) -> str:
    person = facts.main
    if len(facts.persons) >= 2 and facts.touching:
        return "partner"
    if person.hand_near_head is not None:
        return "head"
    return "hands" if person.hands_meet else "none"


def _place_cause(facts: MotionFacts) -> str:
    person = facts.main
    if len(facts.persons) >= 2 and facts.touching and facts.distance_change > PUSHED_APART:
        return "push"
    moved = float(np.hypot(*person.travel.values())) if person.travel else 0.0
    if moved < 0.25:
        return "none"
    return "jump" if person.airborne >= AIRBORNE else "step"


def causal(facts: MotionFacts, rng) -> TaskExample | None:
    """Why the body changes height, why the hands come close to something, or why the body moves on."""
    themes = (
        (HEIGHT_QUESTION, HEIGHT_ANSWERS, _height_cause),
        (REACH_QUESTION, REACH_ANSWERS, _reach_cause),
        (PLACE_QUESTION, PLACE_ANSWERS, _place_cause),
    )
    question, answers, cause = themes[int(rng.integers(len(themes)))]
    answer = answers[cause(facts)]
    wrong = [a for a in answers.values() if a != answer]
    return _example("causal", question, answer, wrong, answer[0].upper() + answer[1:] + ".", rng)


def _times(n: int) -> str:
    return "once" if n == 1 else ("twice" if n == 2 else f"{n} times")


def _pace(speed: float) -> str:
    if speed > 1.3:
        return "faster than usual"
    if speed < 0.77:
        return "slower than usual"
    return "at the usual pace"


def fine_grained(facts: MotionFacts, rng, synth: Mapping[str, Any] | None = None) -> TaskExample | None:
    person = facts.main
    main = person.main
    choices = ["repetitions"]
    limb = main.part.rpartition("_")[2]
    amounts = {p.part: p.amount for p in person.parts}
    left, right = amounts.get(f"left_{limb}"), amounts.get(f"right_{limb}")
    if limb in ("arm", "leg") and left is not None and right is not None:
        choices.append("side")
    if synth and "speed" in synth:
        choices.append("pace")
    pick = choices[int(rng.integers(len(choices)))]
    if pick == "side":
        end, ends = ("hand", "hands") if limb == "arm" else ("foot", "feet")
        side = "left" if left > SIDE_RATIO * right else ("right" if right > SIDE_RATIO * left else "both")
        answer = {"left": f"the left {end}", "right": f"the right {end}", "both": f"both {ends} equally"}[side]
        wrong = [f"the left {end}", f"the right {end}", f"both {ends} equally", f"neither {end}"]
        sentence = f"{answer[0].upper()}{answer[1:]} moves most." if side != "both" else f"Both {ends} move equally."
        return _example("fine_grained", f"Which {end} moves most?", answer, wrong, sentence, rng)
    if pick == "pace":
        answer = _pace(float(synth["speed"]))
        wrong = ["faster than usual", "slower than usual", "at the usual pace", "it does not move at all"]
        sentence = f"It is performed {answer} (speed x{float(synth['speed']):.1f})."
        return _example("fine_grained", "How fast is the action performed?", answer, wrong, sentence, rng)
    n = main.repetitions
    wrong = [_times(k) for k in (n - 2, n - 1, n + 1, n + 2, n + 3) if k >= 1]
    question = f"How many times does the {end_words(main.part)} go back and forth?"
    return _example("fine_grained", question, _times(n), wrong, f"The {end_words(main.part)} moves {_times(n)}.", rng)


# feature -> (sentence when this clip has more of it, sentence when less)
_CONTRASTS = {
    "arm_major": ("here an arm moves much more", "here the arms move much less"),
    "leg_major": ("here a leg moves much more", "here the legs move much less"),
    "head": ("here the head moves more", "here the head stays stiller"),
    "lowering": ("here the body lowers further", "here the body lowers less"),
    "airborne": ("here the feet leave the ground", "here the feet stay on the ground"),
    "hands_meet": ("here the two hands meet", "here the hands stay apart"),
    "hand_near_head": ("here a hand comes to the head", "here the hands stay away from the head"),
    "repetitions": ("here the movement repeats more often", "here the movement is done fewer times"),
    "speed": ("here the movement is faster", "here the movement is slower"),
    "partner": ("here a second person takes part", "here only one person moves"),
}


def contrastive(
    facts: MotionFacts,
    profile: np.ndarray,
    other_profile: np.ndarray,
    other_name: str,
    spread: np.ndarray,
    rng,
) -> TaskExample | None:
    """How this clip's profile differs most from ``other_name``'s mean profile (features scaled by ``spread``)."""
    index = {f: i for i, f in enumerate(FEATURES)}
    scores = {f: (profile[index[f]] - other_profile[index[f]]) / max(spread[index[f]], 1e-6) for f in _CONTRASTS}
    clear = [f for f in _CONTRASTS if abs(scores[f]) >= 1.0]
    if not clear:
        return None
    # any clear difference, not always the largest: the largest is often the same for every clip
    # contrasted with one class, and a question whose answer its wording fixes teaches nothing
    feature = clear[int(rng.integers(len(clear)))]
    polarity = 0 if scores[feature] > 0 else 1
    answer = _CONTRASTS[feature][polarity]
    flipped = _CONTRASTS[feature][1 - polarity]  # the same feature the wrong way round
    others = [_CONTRASTS[f][0 if scores[f] < 0 else 1] for f in _CONTRASTS if f != feature and abs(scores[f]) >= 0.5]
    picked = [others[i] for i in rng.permutation(len(others))[:2]] if len(others) >= 2 else others
    question = f"How does this motion differ from a typical '{other_name}'?"
    return _example(
        "contrastive", question, answer, [flipped, *picked], f"Compared with '{other_name}', {answer}.", rng
    )
