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

#: eval.task -> what to add when no stage teaches it
_TEACHING_STAGE = {"recognition": "a 'refine' stage", "caption": "a 'caption' stage", "qa": "a 'motion_qa' stage"}
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


def check_eval_task(validated: Any) -> list[str]:
    """Some stage's test question suits ``eval.task`` (as ``Pipeline.test_question`` will look for one)."""
    spec = validated.spec
    task = spec.eval.task
    if task == "recognition" and spec.eval.question != "stage":
        return []  # a fixed question kind: no stage needs to define it
    for _, stage in reversed(_stages(validated)):
        try:
            example = stage.question(list(_PLACEHOLDER_NAMES))
        except NotImplementedError:
            continue
        if example.kind in EVAL_TASK_KINDS[task] and (task != "recognition" or example.is_recognition):
            return []
    named = ", ".join(repr(s.name) for s in spec.stages) or "none"
    fixed = " or set eval.question (e.g. multiple_choice)" if task == "recognition" else ""
    return [
        f"eval.task: no stage teaches the {task!r} task at test time (stages: {named}); "
        f"add {_TEACHING_STAGE[task]}{fixed}"
    ]


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
    for i, stage in _stages(validated):
        if "renderer" in stage.groups and set(stage.groups) <= {"renderer"}:
            problems.append(
                f"stages[{i}]: stage {stage.name!r} trains only the renderer, but renderer {renderer_name!r} has "
                "no parameters; remove the stage, use the learnable renderer 'draction', or give the stage other "
                "groups to train (train: [projector, lora])"
            )
    return problems


def check_components(validated: Any, check_files: bool) -> list[str]:
    """Each component's own checks of its validated options (``Component.validate_options``)."""
    problems = []
    for path, (kind, name) in validated.names.items():
        cls = validated.registry.get(kind, name)
        check = getattr(cls, "validate_options", None)
        if check is None:
            continue
        problems += [f"{path}.{line}" for line in check(validated.options[path], check_files)]
    return problems


def plan_problems(validated: Any, check_files: bool = True) -> list[str]:
    """Every check above, in one list (registered in ``spec.SPEC_CHECKS``)."""
    return [
        *check_eval_task(validated),
        *check_metric_tasks(validated),
        *check_stage_groups(validated),
        *check_components(validated, check_files),
    ]
