"""The task protocol: what the model is asked about a clip, as typed data.

Every task of the paper (multiple-choice recognition, YES/NO discrimination,
open recognition, a step-by-step rationale, a caption, a question about the
motion) is one :class:`TaskExample`. Stages *make* examples from a
:class:`ClipContext`; backbones *phrase* them for their model (an MLLM turns
them into a chat prompt with :func:`phrase`, an alignment model reads the
candidates directly); metrics *score* :class:`Prediction` objects. Nobody
flattens an example into a string and parses it back elsewhere, so a
third-party backbone, stage or metric needs only this module.

The default wording lives in ``data/task_templates.yaml``, and the answer
lines the parsers read (``Label: <action>``, ``YES``/``NO``, ``Answer: x``)
are built and parsed here so they can never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from .errors import SkeletonLLMError

if TYPE_CHECKING:
    from .sequence import SkeletonSequence


class TaskKind(str, Enum):
    """The kinds of question a clip can be asked."""

    MULTIPLE_CHOICE = "multiple_choice"  # pick the action among candidates
    YES_NO = "yes_no"  # is the action <subject>?
    OPEN = "open_recognition"  # name the action, no candidates
    RATIONALE = "rationale"  # explain step by step, then (usually) the label
    CAPTION = "caption"  # describe the motion in a sentence
    QA = "qa"  # answer a question about the motion (open or multiple choice)


#: kinds whose answer is a class name read from a ``Label:`` line
RECOGNITION_KINDS = frozenset({TaskKind.MULTIPLE_CHOICE, TaskKind.OPEN, TaskKind.RATIONALE})
#: evaluation task (``eval.task``) -> the example kinds a stage's test question may have for it
EVAL_TASK_KINDS = {
    "recognition": RECOGNITION_KINDS,
    "caption": frozenset({TaskKind.CAPTION}),
    "qa": frozenset({TaskKind.QA}),
}


@dataclass(frozen=True)
class ClipContext:
    """What a stage or teacher knows about one training clip.

    ``text`` is the dataset's own description of *this* clip (a HumanML3D
    caption, SynthAct's generator description); ``references`` are all of
    its captions. ``sequence`` is the loaded skeleton, so a teacher can
    analyse the real motion. ``meta`` carries dataset facts (SynthAct's
    side, speed, repetitions) for tasks that compute answers from them.
    """

    sample_id: str
    label: int
    class_names: Sequence[str]
    seen: Sequence[int]
    text: str | None = None
    references: tuple[str, ...] = ()
    sequence: SkeletonSequence | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def class_name(self) -> str:
        return self.class_names[self.label]


@dataclass(frozen=True)
class TaskExample:
    """One question about one clip, with what a correct answer looks like.

    ``target`` is the full text the model is trained to produce (empty at test
    time); ``answer`` is what a parser should recover from a correct output
    (the class name lower-cased, ``yes``/``no``, the chosen option).
    ``references`` are the texts open answers are scored against.
    """

    kind: TaskKind
    target: str = ""
    answer: str | None = None
    candidates: tuple[str, ...] = ()
    subject: str | None = None
    question: str | None = None
    references: tuple[str, ...] = ()
    label_line: bool = True
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kind = TaskKind(self.kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(self, "references", tuple(self.references))
        if kind in (TaskKind.MULTIPLE_CHOICE, TaskKind.RATIONALE) and self.label_line and not self.candidates:
            raise SkeletonLLMError(f"a {kind.value} example needs at least one candidate class name, got none")
        if kind is TaskKind.YES_NO and not self.subject:
            raise SkeletonLLMError("a yes_no example needs the class it asks about ('subject')")
        if kind is TaskKind.QA and not self.question:
            raise SkeletonLLMError("a qa example needs its question text")

    def with_target(self, target: str) -> TaskExample:
        return replace(self, target=target)

    @property
    def is_recognition(self) -> bool:
        return self.kind in RECOGNITION_KINDS and self.label_line


@dataclass(frozen=True)
class Prediction:
    """A model's output for one example; metrics read the example, not a prompt string."""

    example: TaskExample
    output: str
    sample_id: str = ""

    @property
    def parsed(self) -> str | None:
        return parse_answer(self.example, self.output)

    @property
    def correct(self) -> bool | None:
        """Whether the parsed answer equals the expected one (``None`` if the example has none)."""
        if self.example.answer is None:
            return None
        return self.parsed == normalise(self.example.answer)


# ---- wording ------------------------------------------------------------------------------
_TEMPLATE_KEYS = (
    "multiple_choice",
    "yes_no",
    "open_recognition",
    "rationale",
    "rationale_unlabelled",
    "caption",
    "qa",
    "qa_choices",
    "option_line",
    "label_answer",
    "choice_answer",
    "yes_answer",
    "no_answer",
)


@lru_cache(maxsize=1)
def templates() -> dict[str, str]:
    """The template file, parsed once with ``yaml.safe_load`` and checked for every key."""
    text = resources.files("skeletonllm").joinpath("data/task_templates.yaml").read_text(encoding="utf-8")
    data: Any = yaml.safe_load(text)
    missing = [k for k in _TEMPLATE_KEYS if not isinstance(data, dict) or not isinstance(data.get(k), str)]
    if missing:
        raise SkeletonLLMError(f"skeletonllm/data/task_templates.yaml: missing or non-text keys {missing}")
    return {k: data[k] for k in _TEMPLATE_KEYS}


def options_block(options: Sequence[str]) -> str:
    if not options:
        raise SkeletonLLMError("a multiple-choice prompt needs at least one candidate, got none")
    line = templates()["option_line"]
    return "\n".join(line.format(name=name) for name in options)


def phrase(example: TaskExample) -> str:
    """The default English prompt for ``example`` (what the MLLM backbones send)."""
    t = templates()
    kind = example.kind
    if kind is TaskKind.MULTIPLE_CHOICE:
        return t["multiple_choice"].format(options=options_block(example.candidates))
    if kind is TaskKind.YES_NO:
        return t["yes_no"].format(class_name=example.subject)
    if kind is TaskKind.OPEN:
        return t["open_recognition"]
    if kind is TaskKind.RATIONALE:
        if example.candidates:
            return t["rationale"].format(options=options_block(example.candidates))
        return t["rationale_unlabelled"]
    if kind is TaskKind.CAPTION:
        return t["caption"]
    if example.candidates:
        return t["qa_choices"].format(question=example.question, options=options_block(example.candidates))
    return t["qa"].format(question=example.question)


def label_line(label: str) -> str:
    """The answer line the parsers read back: ``Label: <action>``."""
    return templates()["label_answer"].format(label=label)


def yes_no_line(is_match: bool) -> str:
    return templates()["yes_answer" if is_match else "no_answer"]


def choice_line(answer: str) -> str:
    return templates()["choice_answer"].format(answer=answer)


def template_corpus(class_names: Sequence[str]) -> list[str]:
    """Every prompt and answer text for ``class_names``: the training text of tiny tokenizers."""
    t = templates()
    texts = [t["caption"], t["open_recognition"], t["rationale_unlabelled"], yes_no_line(True), yes_no_line(False)]
    if class_names:
        names = list(class_names)
        texts += [
            phrase(TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=names)),
            phrase(TaskExample(TaskKind.RATIONALE, candidates=names)),
        ]
    for name in class_names:
        texts += [t["yes_no"].format(class_name=name), label_line(name)]
    return texts


# ---- reading answers back --------------------------------------------------------------------
_LABEL = re.compile(r"label\s*:", re.IGNORECASE)
_ANSWER = re.compile(r"answer\s*:", re.IGNORECASE)
_YES_NO = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


def normalise(text: str) -> str:
    """Lower-case, trimmed, without surrounding quotes or a final full stop (models add them)."""
    return text.strip().strip("\"'`").strip().rstrip(".").strip().lower()


def parse_candidates(text: str) -> list[str]:
    """``"walk, sit down"`` -> ``["walk", "sit down"]``: names stripped, in the order given.

    An empty name (``"walk,,sit"``) or a name given twice (``"walk, Walk"``: answers are
    compared lower-cased) is an error naming it, not silently dropped.
    """
    names = [name.strip() for name in text.split(",")]
    if not any(names):
        raise SkeletonLLMError("candidates: no class names given (expected a comma-separated list)")
    empty = [i + 1 for i, name in enumerate(names) if not name]
    if empty:
        raise SkeletonLLMError(
            f"candidates: name {empty[0]} of {len(names)} is empty (two commas in a row, or a comma at an end)"
        )
    first: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        if not key:
            raise SkeletonLLMError(f"candidates: {name!r} is not a class name")
        if key in first:
            raise SkeletonLLMError(f"candidates: {name!r} is given twice (as {first[key]!r} before)")
        first[key] = name
    return names


def _after_last(pattern: re.Pattern[str], text: str) -> str | None:
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    line = text[matches[-1].end() :].split("\n", 1)[0]
    return normalise(line) or None


def parse_label(text: str) -> str | None:
    """Text after the *last* ``Label:`` on its line, normalised; ``None`` when absent or empty.

    The last one wins because a rationale may quote the format before giving the answer.
    """
    return _after_last(_LABEL, text)


def parse_choice(text: str) -> str | None:
    """Text after the last ``Answer:``; a bare one-line output counts as the answer."""
    found = _after_last(_ANSWER, text)
    if found is None and text.strip() and "\n" not in text.strip():
        return normalise(text)
    return found


def parse_yes_no(text: str) -> bool | None:
    """``True`` for YES, ``False`` for NO (the first of the two words found), ``None`` if neither."""
    match = _YES_NO.search(text)
    return None if match is None else match.group(1).lower() == "yes"


def parse_answer(example: TaskExample, output: str) -> str | None:
    """What ``output`` answers to ``example``, normalised like ``example.answer``."""
    if example.kind is TaskKind.YES_NO:
        verdict = parse_yes_no(output)
        return None if verdict is None else ("yes" if verdict else "no")
    if example.kind in RECOGNITION_KINDS:
        return parse_label(output)
    if example.kind is TaskKind.QA:
        return parse_choice(output) if example.candidates else normalise(output)
    return normalise(output)


__all__ = [
    "RECOGNITION_KINDS",
    "ClipContext",
    "Prediction",
    "TaskExample",
    "TaskKind",
    "choice_line",
    "label_line",
    "normalise",
    "options_block",
    "parse_answer",
    "parse_candidates",
    "parse_choice",
    "parse_label",
    "parse_yes_no",
    "phrase",
    "template_corpus",
    "templates",
    "yes_no_line",
]
