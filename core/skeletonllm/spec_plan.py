"""Does the plan of a spec hold together: is the evaluated task taught, can every stage train something?

Each section can validate on its own and the experiment still fail after the
model is built: ``eval.task: caption`` with no caption stage, an accuracy metric
on a caption task, ``warmup`` (which trains only the renderer) with a renderer
that has no parameters (the README's "one-word change" to ``stick``), LoRA
target modules that match nothing. These checks build only stages (small
objects) and read class attributes; each component may add its own through
``Component.validate_options`` (the Hugging Face backbones check image sizes,
LoRA targets, prompt lengths and model folders there).
"""

from __future__ import annotations

from typing import Any

from .tasks import EVAL_TASK_KINDS

#: class names given to a stage's test question: only the question's kind matters here
_PLACEHOLDER_NAMES = ["class a", "class b", "class c", "class d"]


def _stages(validated: Any) -> list[tuple[int, Any]]:
    out = []
    for i in range(len(validated.spec.stages)):
        try:
            out.append((i, validated.build("stages", i)))
        except Exception:  # noqa: BLE001, S112 - a stage that cannot be built is reported by the registry pass
            continue
    return out


def _teaches(stage: Any, task: str) -> bool:
    """Whether ``stage``'s test-time question is a question of the evaluation task ``task``."""
    try:
        example = stage.question(list(_PLACEHOLDER_NAMES))
    except NotImplementedError:
        return False
    return example.kind in EVAL_TASK_KINDS[task] and (task != "recognition" or example.is_recognition)


def teaching_stages(registry: Any, task: str) -> list[str]:
    """The installed stages whose test question (with their default options) suits ``task``.

    Asked of the registry, not named here: a third-party stage that teaches captions is offered
    as readily as the built-in one.
    """
    found = []
    for name in registry.names("stage"):
        try:
            stage = registry.create("stage", name)
        except Exception:  # noqa: BLE001, S112 - a stage that needs options to build is not offered
            continue
        if _teaches(stage, task):
            found.append(name)
    return found


def check_eval_task(validated: Any) -> list[str]:
    """Some stage's test question suits ``eval.task`` (as ``Pipeline.test_question`` will look for one)."""
    spec = validated.spec
    task = spec.eval.task
    if task == "recognition" and spec.eval.question != "stage":
        return []  # a fixed question kind: no stage needs to define it
    if any(_teaches(stage, task) for _, stage in _stages(validated)):
        return []
    named = ", ".join(repr(s.name) for s in spec.stages) or "none"
    offered = teaching_stages(validated.registry, task)
    add = f"add a stage that teaches it ({', '.join(repr(n) for n in offered)})" if offered else "add a stage for it"
    fixed = " or set eval.question (e.g. multiple_choice)" if task == "recognition" else ""
    return [f"eval.task: no stage teaches the {task!r} task at test time (stages: {named}); {add}{fixed}"]


def check_metric_tasks(validated: Any) -> list[str]:
    """Every metric scores answers of the evaluated task (a metric's ``tasks``; empty means any)."""
    spec = validated.spec
    problems = []
    for i, metric in enumerate(spec.eval.metrics):
        path = f"eval.metrics[{i}]"
        if path not in validated.names:
            continue
        tasks = tuple(getattr(validated.registry.get("metric", metric.name), "tasks", ()) or ())
        if tasks and spec.eval.task not in tasks:
            problems.append(
                f"{path}: metric {metric.name!r} scores {' and '.join(tasks)} answers, but eval.task is "
                f"{spec.eval.task!r}: it would have nothing to score"
            )
    return problems


def check_stage_groups(validated: Any) -> list[str]:
    """A stage that trains only the renderer needs a renderer with parameters."""
    renderer_name = validated.spec.renderer.name
    renderer = validated.registry.get("renderer", renderer_name)
    if getattr(renderer, "learnable", False):
        return []
    problems = []
    learnable = [n for n in validated.registry.names("renderer") if _learnable(validated.registry, n)]
    use = f"use a learnable renderer ({', '.join(repr(n) for n in learnable)})" if learnable else ""
    for i, stage in _stages(validated):
        if "renderer" in stage.groups and set(stage.groups) <= {"renderer"}:
            problems.append(
                f"stages[{i}]: stage {stage.name!r} trains only the renderer, but renderer {renderer_name!r} has "
                f"no parameters; remove the stage, {use + ', ' if use else ''}or give the stage other "
                "groups to train (train: [projector, lora])"
            )
    return problems


def _learnable(registry: Any, name: str) -> bool:
    try:
        return bool(getattr(registry.get("renderer", name), "learnable", False))
    except Exception:  # noqa: BLE001 - a renderer that fails to import is reported by the registry
        return False


def check_components(validated: Any, check_files: bool) -> list[str]:
    """Each component's own checks of its validated options (``Component.validate_options``).

    A problem with a derived option (a backbone's ``image_size`` taken from ``renderer.size``)
    is reported where the value is stated, since that is where the user changes it.
    """
    derived = getattr(validated, "derived", {})
    problems = []
    for path, (kind, name) in validated.names.items():
        cls = validated.registry.get(kind, name)
        check = getattr(cls, "validate_options", None)
        if check is None:
            continue
        for line in check(validated.options[path], check_files):
            option, _, what = line.partition(":")
            here = f"{path}.{option}"
            source = derived.get(here.split("[", 1)[0])
            problems.append(f"{source}:{what} ({here} follows it)" if source else f"{here}:{what}")
    return problems


def plan_problems(validated: Any, check_files: bool = True) -> list[str]:
    """Every check above, in one list (registered in ``spec.SPEC_CHECKS``)."""
    return [
        *check_eval_task(validated),
        *check_metric_tasks(validated),
        *check_stage_groups(validated),
        *check_components(validated, check_files),
    ]
