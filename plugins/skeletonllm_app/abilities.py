"""What the loaded model can do: the kinds of question its checkpoint was taught and the classes it knows.

The page uses this to offer the questions the model was trained to answer, to list
its classes, and to warn when an answer cannot mean what the question asked: a model
trained only to name one of four classes answers "Describe the motion." with one of
those four names, and the page says so instead of showing it as a description.

The taught kinds come from the checkpoint's manifest: its ``tasks`` list
(:data:`skeletonllm.manifest.TASKS`, ``TaskKind`` values such as ``multiple_choice``,
``rationale``, ``yes_no``), read by :func:`skeletonllm.manifest.trained_tasks` as
``infer`` reads it. A checkpoint written before that record derives them from the
stages the spec declares and the manifest's progress (``stage``, ``step``,
``stage_done``): a stage counts once it has taken a step, and it teaches the kind
of its test question. The page's three buttons each serve one evaluation task;
:func:`task_of` maps every kind onto them (YES/NO, which no button asks, onto none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skeletonllm.manifest import question_warning
from skeletonllm.manifest import trained_tasks as recorded_tasks
from skeletonllm.tasks import RECOGNITION_KINDS, TaskKind, normalise

#: the page's question kinds -> the evaluation task names the specs use
ASK_TASKS = {"recognition": "recognition", "caption": "caption", "question": "qa"}

#: the kind of example each of the page's buttons asks (what ``question_warning`` is told was asked)
ASKED_KINDS = {"recognition": TaskKind.MULTIPLE_CHOICE, "caption": TaskKind.CAPTION, "question": TaskKind.QA}

#: how the page names each task in its sentences
TASK_WORDS = {
    "recognition": "name the action among candidates",
    "caption": "caption the motion",
    "qa": "answer questions",
}

#: how many class names a warning lists before it says "..."
NAMES_SHOWN = 12


def task_of(kind: TaskKind) -> str | None:
    """The evaluation task an example kind serves (``None`` for kinds no evaluation asks, e.g. YES/NO)."""
    if kind in RECOGNITION_KINDS:
        return "recognition"
    return {TaskKind.CAPTION: "caption", TaskKind.QA: "qa"}.get(kind)


def page_tasks(kinds: Iterable[TaskKind]) -> tuple[str, ...]:
    """The page's tasks the ``kinds`` serve, in ``ASK_TASKS`` order."""
    served = {task_of(k) for k in kinds}
    return tuple(t for t in ASK_TASKS.values() if t in served)


def reached_stages(manifest: dict[str, Any], count: int) -> range:
    """Indices of the spec's stages that trained at least one step, by the manifest's progress."""
    stage, step = manifest.get("stage"), manifest.get("step", 0)
    if not isinstance(stage, int) or isinstance(stage, bool):
        return range(0)
    started = bool(manifest.get("stage_done")) or (isinstance(step, int) and step > 0)
    return range(min(count, stage + 1 if started else stage))


def derived_kinds(stages: list[Any], manifest: dict[str, Any]) -> frozenset[TaskKind]:
    """For a manifest without ``tasks``: the kinds of the test questions of the stages it reached.

    Stages without a test question (Disc-FT's YES/NO pairs, ``cr_distill`` without its label
    line) add nothing: what they taught cannot be told from the spec.
    """
    found: set[TaskKind] = set()
    for index in reached_stages(manifest, len(stages)):
        try:
            found.add(stages[index].question(["a", "b"]).kind)
        except NotImplementedError:
            continue
    return frozenset(found)


def taught_kinds(
    stages: list[Any], manifest: dict[str, Any] | None, source: str | Path = "checkpoint"
) -> tuple[frozenset[TaskKind], bool]:
    """The kinds of question a checkpoint taught, and whether its manifest recorded them.

    No manifest (the untrained model): nothing, recorded. A ``tasks`` entry that is no
    ``TaskKind`` is the checkpoint's error, worded as ``infer`` words it.
    """
    if manifest is None:
        return frozenset(), True
    recorded = recorded_tasks(manifest, source)
    if recorded is not None:
        return recorded, True
    return derived_kinds(stages, manifest), False


def trained_tasks(
    stages: list[Any], manifest: dict[str, Any] | None, source: str | Path = "checkpoint"
) -> tuple[str, ...]:
    """The page's tasks a checkpoint taught, in ``ASK_TASKS`` order; ``()`` for an untrained model."""
    return page_tasks(taught_kinds(stages, manifest, source)[0])


@dataclass(frozen=True)
class Abilities:
    """The kinds of question the loaded model was taught and the class names it was trained on (seen classes).

    ``recorded``: the kinds come from the manifest's ``tasks``, not derived from the spec's
    stages; ``checkpoint``: False for the untrained model (``--untrained``).
    """

    kinds: frozenset[TaskKind]
    classes: tuple[str, ...]
    checkpoint: bool = True
    recorded: bool = True

    @property
    def tasks(self) -> tuple[str, ...]:
        """The page's tasks the model was taught (``recognition``, ``caption``, ``qa``)."""
        return page_tasks(self.kinds)

    def can(self, ask_kind: str) -> bool:
        return ASK_TASKS[ask_kind] in self.tasks

    def summary(self) -> str:
        """One sentence for the page: what it was trained to do, and on how many classes."""
        if not self.checkpoint:
            return "Untrained model (started with --untrained): its answers are not meaningful."
        derived = (
            ""
            if self.recorded
            else " (derived from the spec's stages: the checkpoint predates the record of its tasks)"
        )
        if not self.tasks:
            return (
                "This checkpoint has not finished a step of any stage that teaches a question the page can ask"
                f"{derived}."
            )
        doing = "; ".join(TASK_WORDS[t] for t in self.tasks)
        return f"Trained to {doing}, on {len(self.classes)} classes{derived}."

    def warning(self, ask_kind: str, candidates: Iterable[str] = ()) -> str:
        """Why this answer should not be read as asked ("" when the model was trained for it).

        A recognition-only model gets the page's plain sentence (its answer is a forced choice
        among its classes); any other gap is worded by :func:`skeletonllm.manifest.question_warning`,
        as ``infer`` words it.
        """
        if not self.checkpoint or self.can(ask_kind):
            return ""
        names = [*self.classes[:NAMES_SHOWN], *(["..."] if len(self.classes) > NAMES_SHOWN else [])]
        if self.tasks == ("recognition",):
            asked = {"recognition": "to choose among candidates", "caption": "to caption", "question": "free questions"}
            return (
                f"This model was trained only to name one of its {len(self.classes)} classes, not {asked[ask_kind]}: "
                f"its answer is a forced choice among {', '.join(names)}."
            )
        taught = self.kinds if self.recorded else None  # derived kinds miss what stages without a question taught
        said = question_warning(taught, ASKED_KINDS[ask_kind], names, "this model") or ""
        said = said.split(": ", 1)[1] if said.startswith(("warning: ", "note: ")) else said  # the page marks it
        return said[:1].upper() + said[1:]


def outside_candidates(parsed: str | None, candidates: Iterable[str]) -> bool:
    """Whether a parsed recognition answer names none of the candidates the user offered."""
    if parsed is None:
        return False
    offered = {normalise(c) for c in candidates}
    return bool(offered) and normalise(parsed) not in offered
