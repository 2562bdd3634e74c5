"""What a checkpoint manifest records about the components it was trained with, and how to rebuild them.

The manifest's ``components`` field maps a spec section to the component's
registered name and its *validated* options, dumped as JSON::

    "components": {"data": {"name": "synthetic", "options": {...}},
                   "renderer": {"name": "draction", "options": {"frames": 4, "size": 56, ...}},
                   "backbone": {"name": "qwen2_5_vl", "options": {...}}}

Every option is written, defaults included, so a checkpoint rebuilds what was
trained even after a plugin changes a default. The trainer writes records with
:func:`component_record`; ``skeletonllm render --checkpoint`` (and any other reader)
rebuilds with :func:`rebuild_component`. The ``tasks`` field lists the kinds of question
training asked (:data:`TASKS`), so a command can say when it asks a model something it was
never taught. This module imports no torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import CheckpointError, OptionsError, UnknownPluginError
from .registry import Registry
from .tasks import RECOGNITION_KINDS, TaskKind

#: the manifest field holding one record per spec section
COMPONENTS = "components"


def component_record(name: str, options: BaseModel | dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"name": name, "options": {...}}`` with the options as JSON (a validated model is dumped in full)."""
    if isinstance(options, BaseModel):
        options = options.model_dump(mode="json")
    return {"name": name, "options": dict(options or {})}


def component_from_manifest(manifest: dict[str, Any], section: str, source: str | Path) -> dict[str, Any] | None:
    """The record of ``section`` (``renderer``, ``backbone``, ``data``); None if the manifest predates records."""
    components = manifest.get(COMPONENTS)
    if components is None:
        return None
    record = components.get(section) if isinstance(components, dict) else None
    if record is None:
        return None
    if not (
        isinstance(record, dict) and isinstance(record.get("name"), str) and isinstance(record.get("options", {}), dict)
    ):
        raise CheckpointError(f"{source}: manifest {COMPONENTS}.{section} is not {{name: str, options: mapping}}")
    return {"name": record["name"], "options": dict(record.get("options", {}))}


def rebuild_component(
    registry: Registry,
    kind: str,
    record: dict[str, Any],
    overrides: dict[str, Any] | None = None,
    source: str | Path = "checkpoint",
) -> Any:
    """Instantiate the ``kind`` component a record describes, with ``overrides`` applied to its options.

    A component that is no longer installed, or recorded options its plugin no longer
    accepts, is a :class:`CheckpointError` naming the checkpoint.
    """
    name = record["name"]
    options = {**record.get("options", {}), **(overrides or {})}
    try:
        return registry.create(kind, name, options)
    except UnknownPluginError as exc:
        raise CheckpointError(f"{source}: trained with {kind} {name!r}, which is not installed ({exc})") from None
    except OptionsError as exc:
        raise CheckpointError(f"{source}: the recorded options of {kind} {name!r} do not validate: {exc}") from None


# -- what the model was taught -------------------------------------------------------------------
#: the manifest field listing the kinds of question training taught (``TaskKind`` values)
TASKS = "tasks"

#: how each kind of question is named to a user
TASK_WORDS = {
    TaskKind.MULTIPLE_CHOICE: "recognition (multiple choice)",
    TaskKind.OPEN: "open recognition",
    TaskKind.YES_NO: "YES/NO",
    TaskKind.RATIONALE: "rationale",
    TaskKind.CAPTION: "captions",
    TaskKind.QA: "questions about the motion (qa)",
}


def trained_tasks(manifest: dict[str, Any], source: str | Path = "checkpoint") -> frozenset[TaskKind] | None:
    """The kinds of question the checkpoint's training asked; None when the manifest predates the record."""
    tasks = manifest.get(TASKS)
    if tasks is None:
        return None
    known = {k.value for k in TaskKind}
    if not isinstance(tasks, list) or not all(isinstance(t, str) and t in known for t in tasks):
        raise CheckpointError(f"{source}: manifest {TASKS} is {tasks!r}, expected a list of {', '.join(sorted(known))}")
    return frozenset(TaskKind(t) for t in tasks)


def describe_tasks(tasks: frozenset[TaskKind] | None) -> str:
    """``recognition (multiple choice), YES/NO`` (in a fixed order), or what is known when nothing is."""
    if tasks is None:
        return "unknown (the checkpoint predates the record of its tasks)"
    return ", ".join(TASK_WORDS[k] for k in TaskKind if k in tasks) or "nothing (no stage trained)"


def question_warning(
    tasks: frozenset[TaskKind] | None, asked: TaskKind, class_names: list[str] | tuple[str, ...], source: object
) -> str | None:
    """A warning when ``asked`` is a kind of question the model was not (or may not have been) taught.

    A model taught only to name actions answers "Describe the motion." with one of its class
    names: the warning says so and lists them, so the answer is read as the forced choice it is.
    """
    if tasks is not None and (asked in tasks or (asked in RECOGNITION_KINDS and tasks & RECOGNITION_KINDS)):
        return None
    names = ", ".join(class_names)
    if tasks is None:
        return (
            f"note: {source} does not record the tasks it was trained on (written before they were recorded): "
            f"whether it was taught {TASK_WORDS[asked]} is unknown; its answer may be one of its class names: {names}"
        )
    taught = describe_tasks(tasks)
    if tasks & RECOGNITION_KINDS:
        consequence = f"its answer is likely a choice among the class names it learned: {names}"
    else:
        consequence = "its answer may mean nothing"
    return f"warning: {source} was trained on {taught}, never on {TASK_WORDS[asked]}: {consequence}"
