"""Motion QA: questions about a clip whose answers are computed from the clip itself.

The paper's four kinds of question, each a four-option :class:`TaskExample`
(``kind=QA``) with the correct option as ``answer``, an open answer sentence
as its reference, and ``meta['qa_kind']``:

- **temporal**: what happens first, what happens after something;
- **causal**: why the body does something (the knees bend and the body
  lowers before the feet leave the ground: that is what lifts it);
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

from .kinematic_teacher import end_words, part_words
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


_CAUSES = {
    "airborne": (
        "What lets the body leave the ground?",
        "the knees bend and the body lowers first, then the legs push off",
        ("the arms pull the body up", "the body leans backwards", "the head tilts back"),
    ),
    "lowering": (
        "Why does the body lower?",
        "the hips and knees bend",
        ("the feet leave the ground", "the arms push downwards", "the head tilts back"),
    ),
    "travel": (
        "Why does the whole body move through the room?",
        "the legs step and carry it",
        ("the arms swing it", "the body jumps up and down", "the head leads it"),
    ),
    "apart": (
        "Why do the two people move apart?",
        "one person's hands push the other away",
        ("both turn and walk away", "they jump backwards together", "the head of one person nods"),
    ),
    "head": (
        "Why does a hand come close to the head?",
        "the arm bends at the elbow and rises towards the face",
        ("the head bends down to the knee", "the body lowers to the hand", "the other person lifts it"),
    ),
}


def causal(facts: MotionFacts, rng) -> TaskExample | None:
    person = facts.main
    found = []
    if person.airborne >= AIRBORNE and person.lowering >= LOWERING and person.lowering_time is not None:
        if person.airborne_time is not None and person.lowering_time < person.airborne_time:
            found.append("airborne")
    if person.lowering >= LOWERING and person.airborne < AIRBORNE:
        found.append("lowering")
    if np.hypot(*person.travel.values()) >= 0.25 if person.travel else False:
        found.append("travel")
    if len(facts.persons) >= 2 and facts.touching and facts.distance_change > 0.15:
        found.append("apart")
    if person.hand_near_head is not None:
        found.append("head")
    if not found:
        main = person.main
        question = f"What moves the {end_words(main.part)}?"
        answer = f"the {part_words(main.part)} swings it"
        others = [f"the {part_words(p.part)} swings it" for p in person.parts if p.part != main.part]
        return _example("causal", question, answer, others, f"The {part_words(main.part)} swings it.", rng)
    key = found[int(rng.integers(len(found)))]
    question, answer, wrong = _CAUSES[key]
    other_answers = [a for k, (_, a, _) in _CAUSES.items() if k != key]
    return _example("causal", question, answer, [*wrong, *other_answers], answer[0].upper() + answer[1:] + ".", rng)


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
    feature = max(scores, key=lambda f: abs(scores[f]))
    if abs(scores[feature]) < 0.5:
        return None
    answer = _CONTRASTS[feature][0 if scores[feature] > 0 else 1]
    wrong = [_CONTRASTS[f][0 if scores[f] < 0 else 1] for f in _CONTRASTS if f != feature]
    question = f"How does this motion differ from a typical '{other_name}'?"
    return _example("contrastive", question, answer, wrong, f"Compared with '{other_name}', {answer}.", rng)
