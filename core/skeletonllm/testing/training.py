"""The stage and teacher contracts: typed examples for seen clips only, the same for any up axis.

A stage turns a training clip into ``TaskExample``s with targets. The kit checks that it
prepares on no clips and on a few, that its examples have targets and name no unseen class
(it refuses an unseen clip or says nothing of its class), that the same ``rng`` gives the
same examples, that a clip written z-up gives the examples of the same clip written y-up,
and that its parameter groups and test question are well formed. A teacher writes the
rationale of a clip: text without the ``Label:`` line, the same every time and for any up
axis, never naming the class when it is not told it, and a clear error (or a rationale)
for a clip without its sequence. A stage that trains itself (``trains_itself``: its own loop
and objective, e.g. vision pretraining) must override ``fit`` and may refuse ``examples``
with a clear error.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import SkeletonLLMError
from ..interfaces.backbone import PARAMETER_GROUPS
from ..registry import get_registry
from ..tasks import TaskExample
from .cases import KIT_CLASSES, KIT_SEEN, KIT_UNSEEN, clip_context, turned_up
from .components import KindContract


def kit_clips() -> list[Any]:
    """The kit's training clips: three per seen class, sequences loaded."""
    return [clip_context(label, seed=10 * label + k) for label in KIT_SEEN for k in range(3)]


def _names_unseen(example: TaskExample) -> bool:
    unseen = KIT_CLASSES[KIT_UNSEEN].lower()
    texts = [example.target, example.answer or "", example.subject or "", *example.candidates]
    return any(unseen in text.lower() for text in texts)


def _without_sequences(examples: list[TaskExample]) -> list[TaskExample]:
    """Examples comparable with ``==`` (a sequence in ``meta`` compares by identity)."""
    return [dataclasses.replace(e, meta={k: v for k, v in e.meta.items() if k != "sequence"}) for e in examples]


def check_stage(stage: Any) -> None:
    """Groups, preparation, examples for seen clips, determinism, unseen refusal, the up axis, the question."""
    assert set(stage.groups) <= {"renderer", *PARAMETER_GROUPS}, f"unknown parameter groups {stage.groups}"
    if stage.default_teacher is not None and stage.teacher is None:
        stage.use_teacher(get_registry().create("teacher", stage.default_teacher))
    stage.prepare(iter([]))  # an empty training set must not crash preparation
    stage.prepare(iter(kit_clips()))
    clip = clip_context(1, seed=99)
    if stage.trains_itself:
        _check_self_trained(stage, clip)
        return
    examples = stage.examples(clip, np.random.default_rng(0))
    assert examples and all(isinstance(e, TaskExample) for e in examples), f"{stage.name}: no typed examples"
    assert all(e.target.strip() for e in examples), f"{stage.name}: an example has no target to learn"
    assert not any(_names_unseen(e) for e in examples), f"{stage.name}: a seen clip's example names an unseen class"
    again = stage.examples(clip, np.random.default_rng(0))
    assert _without_sequences(again) == _without_sequences(examples), f"{stage.name}: same rng, other examples"
    turned = dataclasses.replace(clip, sequence=turned_up(clip.sequence, "z"))
    upright = _without_sequences(stage.examples(turned, np.random.default_rng(0)))
    assert upright == _without_sequences(examples), f"{stage.name}: a z-up clip gives other examples than y-up"
    unseen = clip_context(KIT_UNSEEN, seed=5)
    try:
        leaked = stage.examples(unseen, np.random.default_rng(0))
    except SkeletonLLMError:
        leaked = []
    assert not any(_names_unseen(e) for e in leaked), f"{stage.name}: an unseen class reached a training target"
    try:
        question = stage.question(list(KIT_CLASSES))
    except NotImplementedError:
        question = None
    assert question is None or isinstance(question, TaskExample)
    asked = stage.test_examples(clip)
    assert isinstance(asked, list) and all(isinstance(e, TaskExample) for e in asked)


def _check_self_trained(stage: Any, clip: Any) -> None:
    """A stage with its own objective (``trains_itself``) has its own loop and asks the model nothing."""
    from ..interfaces.stage import Stage

    assert type(stage).fit is not Stage.fit, f"{stage.name}: trains_itself but does not override fit"
    try:
        examples = stage.examples(clip, np.random.default_rng(0))
    except SkeletonLLMError:
        examples = []
    assert not any(_names_unseen(e) for e in examples), f"{stage.name}: a seen clip's example names an unseen class"


def check_teacher(teacher: Any) -> None:
    """Text without a label line, deterministic, up-axis blind, label-blind when asked, clear on a bare clip."""
    clip = clip_context(2, seed=7)
    text = teacher.rationale(clip)
    assert isinstance(text, str) and text.strip(), f"teacher {teacher.name!r} wrote nothing"
    assert not any(line.strip().lower().startswith("label:") for line in text.splitlines()), (
        f"teacher {teacher.name!r} wrote the Label: line; the stage appends it"
    )
    assert teacher.rationale(clip) == text, f"teacher {teacher.name!r} is not deterministic"
    turned = dataclasses.replace(clip, sequence=turned_up(clip.sequence, "z"))
    assert teacher.rationale(turned) == text, f"teacher {teacher.name!r} reads a z-up clip differently from y-up"
    blind = teacher.rationale(clip, know_label=False)
    assert KIT_CLASSES[2] not in blind.lower(), f"teacher {teacher.name!r} names the class it was not told"
    try:
        bare = teacher.rationale(dataclasses.replace(clip, sequence=None))
    except SkeletonLLMError:
        return
    assert isinstance(bare, str) and bare.strip()


def check_question(question: Any) -> None:
    """A QA example (answer among its options, kind named) or None; deterministic; the same for a z-up clip."""
    from ..tasks import TaskKind

    question.prepare(iter([]))
    question.prepare(iter(kit_clips()))
    asked = []
    for seed in range(4):
        clip = clip_context(seed % len(KIT_SEEN), seed=50 + seed)
        example = question.ask(clip, np.random.default_rng(seed))
        again = question.ask(clip, np.random.default_rng(seed))
        assert _without_sequences([example] if example else []) == _without_sequences([again] if again else []), (
            f"question {question.name!r}: same clip and rng, another question"
        )
        turned = dataclasses.replace(clip, sequence=turned_up(clip.sequence, "z"))
        upright = question.ask(turned, np.random.default_rng(seed))
        assert _without_sequences([upright] if upright else []) == _without_sequences([example] if example else []), (
            f"question {question.name!r}: a z-up clip is asked another question than y-up"
        )
        if example is None:
            continue
        asked.append(example)
        assert example.kind is TaskKind.QA and example.question, f"question {question.name!r}: not a QA example"
        assert example.meta.get("qa_kind") == question.name, "meta['qa_kind'] must name the question kind"
        assert example.target.strip() and example.references, "a question needs a target and a reference sentence"
        if example.candidates:
            assert example.answer in example.candidates, "the answer must be one of the options"
        assert not _names_unseen(example)
    assert asked, f"question {question.name!r} asked nothing of four ordinary clips"


class QuestionContract(KindContract):
    """Subclass in a test module; set ``plugin``: every registered question kind a QA stage can ask."""

    kind: ClassVar[str] = "question"

    def test_questions_are_typed_deterministic_and_up_axis_blind(self, question_name: str, tmp_path: Path) -> None:
        check_question(self.build(question_name, tmp_path))


class StageContract(KindContract):
    """Subclass in a test module; set ``plugin``; override :meth:`options` for stages with required options."""

    kind: ClassVar[str] = "stage"

    def test_examples_are_typed_seen_only_deterministic_and_up_axis_blind(
        self, stage_name: str, tmp_path: Path
    ) -> None:
        check_stage(self.build(stage_name, tmp_path))


class TeacherContract(KindContract):
    """Subclass in a test module; set ``plugin``; override :meth:`options` (e.g. a file teacher's path)."""

    kind: ClassVar[str] = "teacher"

    def test_rationale_contract(self, teacher_name: str, tmp_path: Path) -> None:
        check_teacher(self.build(teacher_name, tmp_path))


__all__ = [
    "QuestionContract",
    "StageContract",
    "TeacherContract",
    "check_question",
    "check_stage",
    "check_teacher",
    "kit_clips",
]
