"""Motion QA about what a real clip's label fixes: which hand, which way the walk turns, which style, whether
two people come closer, how many times a gesture is performed.

Real datasets put the facts their labels fix in ``meta['facts']`` (``skeletonllm_datasets``'
caption rules: ``hand``, ``turn``, ``style`` with ``styles``, ``persons`` and ``distance``,
``instances``).
Each kind here asks only of clips whose facts say what it needs, takes the answer from the
label, and does not ask when the skeleton contradicts it (:mod:`.label_checks`: the hand
named against the most moving arm, the turn against the heading, the distance against the
torsos); where a label says nothing about a fact a kind can measure (the distance between
two people in SBU's contact interactions), the measurement is the answer. The question text
is the same for every clip of a kind, so its answer is not in its wording: the text-only
prior (the most frequent answer per question text over the training clips) is as good as
the label distribution allows, and ``benchmarks/real_captions_qa.py`` prints it beside
the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skeletonllm.interfaces import Question
from skeletonllm.tasks import ClipContext, TaskExample

from .label_checks import distance_trend, heading_change, turn_of
from .motion_qa import _example, _times
from .motion_questions import motion_facts

HAND_QUESTION = "Which hand does the person raise or wave?"
HANDS = {"left": "the left hand", "right": "the right hand", "both": "both hands", "none": "neither hand"}
TURN_QUESTION = "Which way does the person turn while walking?"
TURNS = {"left": "to the left", "right": "to the right", "straight": "it does not turn", "around": "it turns around"}
STYLE_QUESTION = "In which style is the motion performed?"
DISTANCE_QUESTION = "Do the two people come closer or move apart?"
DISTANCES = {
    "closer": "they come closer",
    "apart": "they move apart",
    "closer_then_apart": "they come closer, then move apart",
    "same": "their distance stays about the same",
}
COUNT_QUESTION = "How many times is the gesture performed?"


def label_facts(clip: ClipContext) -> Mapping[str, Any]:
    """The facts the clip's label fixes (``meta['facts']``), or an empty mapping."""
    facts = clip.meta.get("facts") if clip.meta else None
    return facts if isinstance(facts, Mapping) else {}


def _ask(kind: str, question: str, answer: str, options: dict[str, str], sentence: str, rng) -> TaskExample | None:
    wrong = [text for text in options.values() if text != answer]
    return _example(kind, question, answer, wrong, sentence, rng)


class WhichHandQuestion(Question):
    """Which hand is raised or waved: the label's hand, unless the most moving arm is the other one."""

    name = "which_hand"
    summary = "Motion QA on labelled clips: which hand is raised or waved (left, right, both)"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        hand = label_facts(clip).get("hand")
        if hand not in ("left", "right", "both"):
            return None
        if hand != "both":
            measured = motion_facts(clip).main.main.part
            if measured.endswith("_arm") and not measured.startswith(hand):
                return None  # the skeleton says the other hand: do not teach the label
        answer = HANDS[hand]
        sentence = f"{answer[0].upper()}{answer[1:]}."
        return _ask(self.name, HAND_QUESTION, answer, HANDS, sentence, rng)


class TurnQuestion(Question):
    """Which way a walk turns: the label's turn, unless the measured heading change says another."""

    name = "turn_direction"
    summary = "Motion QA on labelled clips: which way the walk turns (left, right, not at all)"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        turn = label_facts(clip).get("turn")
        if turn not in ("left", "right", "straight"):
            return None
        measured = turn_of(heading_change(clip.sequence, motion_facts(clip).main.height))
        if measured is not None and measured != turn:
            return None
        answer = TURNS[turn]
        sentence = "It does not turn." if turn == "straight" else f"It turns {answer}."
        return _ask(self.name, TURN_QUESTION, answer, TURNS, sentence, rng)


class StyleQuestion(Question):
    """Which of the dataset's styles the clip is performed in (four of them offered)."""

    name = "style"
    summary = "Motion QA on labelled clips: which style the motion is performed in (the dataset's styles)"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        facts = label_facts(clip)
        style, styles = facts.get("style"), tuple(facts.get("styles") or ())
        if not style or style not in styles or len(styles) < 4:
            return None
        words = {s: s.replace("-", " ") for s in styles}
        sentence = f"It is performed in the {words[style]} style."
        return _ask(self.name, STYLE_QUESTION, words[style], words, sentence, rng)


class DistanceQuestion(Question):
    """Whether two people come closer or move apart: the label's where it says, checked against the torsos;
    otherwise the measured change of their distance."""

    name = "distance_change"
    summary = "Motion QA on two-person clips: do the two people come closer or move apart"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        facts = label_facts(clip)
        if facts.get("persons") != 2 or clip.sequence is None or clip.sequence.num_persons < 2:
            return None  # asked of clips whose labels are about two people (SBU), not of any two-person clip
        motion = motion_facts(clip)
        if len(motion.persons) < 2:
            return None
        measured = distance_trend(clip.sequence, motion.main.height)
        labelled = facts.get("distance")
        if labelled is not None and labelled != measured:
            return None  # the label says closer / apart and the skeletons do not: do not ask
        if measured is None:
            return None
        answer = DISTANCES[measured]
        return _ask(self.name, DISTANCE_QUESTION, answer, DISTANCES, f"{answer[0].upper()}{answer[1:]}.", rng)


class GestureCountQuestion(Question):
    """How many times the gesture is performed, where the dataset's tags count it (MSRC-12 ``tags_per_clip``)."""

    name = "gesture_count"
    summary = "Motion QA on tagged clips: how many times the gesture is performed (the dataset's action points)"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        count = label_facts(clip).get("instances")
        if not isinstance(count, int) or count < 1:
            return None
        options = {k: _times(k) for k in range(1, max(5, count + 2))}
        answer = _times(count)
        return _ask(self.name, COUNT_QUESTION, answer, options, f"The gesture is performed {answer}.", rng)


__all__ = [
    "DistanceQuestion",
    "GestureCountQuestion",
    "StyleQuestion",
    "TurnQuestion",
    "WhichHandQuestion",
    "label_facts",
]
