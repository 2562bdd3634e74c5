"""What the loaded model can do: the tasks its checkpoint was trained on and the classes it knows.

The page uses this to offer the questions the model was trained to answer, to list
its classes, and to warn when an answer cannot mean what the question asked: a model
trained only to name one of four classes answers "Describe the motion." with one of
those four names, and the page says so instead of showing it as a description.

The trained tasks come from the checkpoint's manifest: its ``tasks`` list when the
trainer recorded one, else derived from the stages the spec declares and the
manifest's progress (``stage``, ``step``, ``stage_done``): a stage counts once it
has taken a step, and it teaches the task its test question belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from skeletonllm.tasks import RECOGNITION_KINDS, TaskKind, normalise

#: the page's question kinds -> the evaluation task names the manifest and specs use
ASK_TASKS = {"recognition": "recognition", "caption": "caption", "question": "qa"}

#: how the page names each task in its sentences
TASK_WORDS = {
    "recognition": "name the action among candidates",
    "caption": "caption the motion",
    "qa": "answer questions",
}


def task_of(kind: TaskKind) -> str | None:
    """The evaluation task an example kind serves (``None`` for kinds no evaluation asks, e.g. YES/NO)."""
    if kind in RECOGNITION_KINDS:
        return "recognition"
    return {TaskKind.CAPTION: "caption", TaskKind.QA: "qa"}.get(kind)


def reached_stages(manifest: dict[str, Any], count: int) -> range:
    """Indices of the spec's stages that trained at least one step, by the manifest's progress."""
    stage, step = manifest.get("stage"), manifest.get("step", 0)
    if not isinstance(stage, int) or isinstance(stage, bool):
        return range(0)
    started = bool(manifest.get("stage_done")) or (isinstance(step, int) and step > 0)
    return range(min(count, stage + 1 if started else stage))


def trained_tasks(stages: list[Any], manifest: dict[str, Any] | None) -> tuple[str, ...]:
    """The tasks a checkpoint taught, in ``ASK_TASKS`` order; ``()`` for an untrained model.

    ``manifest["tasks"]`` wins when present (what the trainer recorded); else each
    reached stage contributes the task of its test question (stages without one,
    such as Disc-FT's YES/NO pairs, teach no task the page can ask).
    """
    if manifest is None:
        return ()
    recorded = manifest.get("tasks")
    if isinstance(recorded, list) and all(isinstance(t, str) for t in recorded):
        return tuple(t for t in ASK_TASKS.values() if t in recorded)
    found: set[str] = set()
    for index in reached_stages(manifest, len(stages)):
        try:
            example = stages[index].question(["a", "b"])
        except NotImplementedError:
            continue
        task = task_of(example.kind)
        if task is not None:
            found.add(task)
    return tuple(t for t in ASK_TASKS.values() if t in found)


@dataclass(frozen=True)
class Abilities:
    """The loaded model's trained tasks and the class names it was trained on (seen classes)."""

    tasks: tuple[str, ...]
    classes: tuple[str, ...]
    checkpoint: bool = True

    def can(self, ask_kind: str) -> bool:
        return ASK_TASKS[ask_kind] in self.tasks

    def summary(self) -> str:
        """One sentence for the page: what it was trained to do, and on how many classes."""
        if not self.checkpoint:
            return "Untrained model (started with --untrained): its answers are not meaningful."
        if not self.tasks:
            return "This checkpoint has not finished a step of any stage that teaches a question the page can ask."
        doing = "; ".join(TASK_WORDS[t] for t in self.tasks)
        return f"Trained to {doing}, on {len(self.classes)} classes."

    def warning(self, ask_kind: str, candidates: Iterable[str] = ()) -> str:
        """Why this answer should not be read as asked ("" when the model was trained for it)."""
        if not self.checkpoint or self.can(ask_kind):
            return ""
        asked = {"recognition": "to choose among candidates", "caption": "to caption", "question": "free questions"}
        if self.tasks == ("recognition",):
            names = ", ".join(self.classes[:12]) + (", ..." if len(self.classes) > 12 else "")
            return (
                f"This model was trained only to name one of its {len(self.classes)} classes, not {asked[ask_kind]}: "
                f"its answer is a forced choice among {names}."
            )
        trained = ", ".join(TASK_WORDS[t] for t in self.tasks) or "nothing the page can ask"
        return f"This model was not trained {asked[ask_kind]} (trained to: {trained}); read its answer with care."


def outside_candidates(parsed: str | None, candidates: Iterable[str]) -> bool:
    """Whether a parsed recognition answer names none of the candidates the user offered."""
    if parsed is None:
        return False
    offered = {normalise(c) for c in candidates}
    return bool(offered) and normalise(parsed) not in offered
