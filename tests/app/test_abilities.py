"""What the page says the model can do: trained tasks from the checkpoint, its classes, and honest warnings."""

from __future__ import annotations

import pytest
from toy_components import toy_registry

from skeletonllm.errors import CheckpointError
from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskKind
from skeletonllm_app.abilities import (
    Abilities,
    outside_candidates,
    reached_stages,
    task_of,
    taught_kinds,
    trained_tasks,
)


def _stages(*names: str) -> list:
    registry = get_registry()
    return [registry.create("stage", name) for name in names]


def test_each_example_kind_belongs_to_the_task_evaluation_asks_it_for():
    assert task_of(TaskKind.MULTIPLE_CHOICE) == task_of(TaskKind.RATIONALE) == "recognition"
    assert task_of(TaskKind.CAPTION) == "caption" and task_of(TaskKind.QA) == "qa"
    assert task_of(TaskKind.YES_NO) is None


@pytest.mark.parametrize(
    ("manifest", "reached"),
    [
        ({"stage": 0, "step": 0, "stage_done": False}, []),  # saved before the first step
        ({"stage": 0, "step": 3, "stage_done": False}, [0]),
        ({"stage": 1, "step": 0, "stage_done": False}, [0]),
        ({"stage": 1, "step": 5, "stage_done": True}, [0, 1]),
        ({"stage": 9, "step": 5, "stage_done": True}, [0, 1, 2]),  # never past the spec's stages
        ({"stage": "1"}, []),
    ],
)
def test_stages_count_once_they_took_a_step(manifest, reached):
    assert list(reached_stages(manifest, 3)) == reached


def test_the_tasks_follow_the_stages_the_checkpoint_reached():
    """A checkpoint written before the manifest recorded its tasks: derived from the spec's stages."""
    stages = _stages("warmup", "disc_ft", "refine", "caption", "motion_qa")
    assert trained_tasks(stages, None) == ()  # no checkpoint: nothing was trained
    assert trained_tasks(stages, {"stage": 1, "step": 2}) == ("recognition",)  # warm-up's choice question
    assert trained_tasks(stages[1:2], {"stage": 0, "step": 9, "stage_done": True}) == ()  # YES/NO teaches no ask
    assert trained_tasks(stages, {"stage": 3, "step": 1}) == ("recognition", "caption")
    assert trained_tasks(stages, {"stage": 4, "step": 1, "stage_done": True}) == ("recognition", "caption", "qa")
    assert taught_kinds(stages, {"stage": 1, "step": 2}) == (frozenset({TaskKind.MULTIPLE_CHOICE}), False)


@pytest.mark.parametrize(
    ("recorded", "tasks"),
    [
        (["multiple_choice"], ("recognition",)),
        (["rationale"], ("recognition",)),  # a rationale ends in the Label: line: it names the action
        (["open_recognition", "yes_no"], ("recognition",)),  # YES/NO: no button asks it
        (["yes_no"], ()),
        (["caption", "multiple_choice"], ("recognition", "caption")),
        (["qa", "rationale", "caption"], ("recognition", "caption", "qa")),
        ([], ()),  # recorded, and nothing trained: not a reason to derive
    ],
)
def test_the_manifests_recorded_tasks_win_over_the_derivation(recorded, tasks):
    """The manifest's ``tasks`` (newcomer's key and TaskKind values, as the trainer writes them) decide."""
    stages = _stages("refine", "caption")
    manifest = {"stage": 1, "step": 9, "stage_done": True, "tasks": recorded}
    assert trained_tasks(stages, manifest) == tasks
    assert taught_kinds(stages, manifest) == (frozenset(TaskKind(t) for t in recorded), True)


def test_a_task_list_that_is_not_task_kinds_is_the_checkpoints_error():
    manifest = {"stage": 0, "step": 9, "stage_done": True, "tasks": ["qa", "poetry"]}
    with pytest.raises(CheckpointError, match="run/last: manifest tasks is .*expected a list of"):
        trained_tasks(_stages("refine"), manifest, "run/last")


def test_a_recognition_only_model_warns_that_other_answers_are_a_forced_choice():
    model = Abilities(
        frozenset({TaskKind.MULTIPLE_CHOICE}), ("hand waving", "jump up", "sit down", "kicking something")
    )
    assert model.can("recognition") and not model.can("caption") and not model.can("question")
    assert model.warning("recognition") == ""
    warning = model.warning("question")
    assert "trained only to name one of its 4 classes" in warning and "free questions" in warning
    assert "forced choice among hand waving, jump up, sit down, kicking something" in warning
    assert "to caption" in model.warning("caption")
    assert model.summary() == "Trained to name the action among candidates, on 4 classes."
    many = Abilities(frozenset({TaskKind.RATIONALE}), tuple(f"c{i}" for i in range(20)))
    assert "forced choice among c0, c1," in many.warning("caption") and "c11, ..." in many.warning("caption")
    untrained = Abilities(frozenset(), ("a",), checkpoint=False)
    assert untrained.warning("question") == "" and "Untrained" in untrained.summary()


def test_other_gaps_are_worded_as_infer_words_them():
    """``manifest.question_warning``: what the model was taught, in the core's words, and what its answer means."""
    captioner = Abilities(frozenset({TaskKind.CAPTION}), ("a", "b"))
    assert captioner.warning("caption") == ""
    assert captioner.warning("recognition") == (
        "This model was trained on captions, never on recognition (multiple choice): its answer may mean nothing"
    )
    judge = Abilities(frozenset({TaskKind.YES_NO, TaskKind.MULTIPLE_CHOICE, TaskKind.CAPTION}), ("a", "b"))
    assert judge.warning("question").startswith(
        "This model was trained on recognition (multiple choice), YES/NO, captions, never on questions"
    )
    assert "a choice among the class names it learned: a, b" in judge.warning("question")
    old = Abilities(frozenset({TaskKind.CAPTION}), ("a", "b"), recorded=False)  # derived from the stages
    assert "does not record the tasks it was trained on" in old.warning("recognition")
    assert "derived from the spec's stages" in old.summary()


def test_an_answer_outside_the_candidates_is_noticed():
    assert outside_candidates("jump up", ["drink water", "sit down"])
    assert not outside_candidates("Jump Up.", ["jump up", "sit down"])  # normalised like evaluation
    assert not outside_candidates(None, ["a"]) and not outside_candidates("a", [])


def test_the_session_reports_what_its_checkpoint_taught(tmp_path):
    """A toy spec trained one refine stage: recognition on its four classes, and nothing else."""
    import yaml

    from skeletonllm.pipeline import Pipeline
    from skeletonllm.spec import load_spec
    from skeletonllm.training import LAST, Trainer
    from skeletonllm_app.model import ModelSession

    spec = tmp_path / "toy.yaml"
    spec.write_text(yaml.safe_dump({
        "data": {"name": "toy_data", "per_class": 2}, "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
        "backbone": "toy_backbone", "stages": [{"name": "refine", "max_steps": 2}],
        "output_dir": str(tmp_path / "run"),
    }))  # fmt: skip
    Trainer(Pipeline(load_spec(spec, toy_registry())), show_progress=False).fit()
    session = ModelSession(spec, tmp_path / "run" / LAST, registry=toy_registry()).start()
    session.pipeline(timeout=120)
    abilities = session.abilities()
    assert abilities.tasks == ("recognition",) and abilities.classes == ("left", "right", "up", "down")
    assert abilities.kinds == {TaskKind(t) for t in session.manifest["tasks"]} and abilities.recorded
    assert "Trained to name the action among candidates, on 4 classes." in session.status()
    fresh = tmp_path / "fresh.yaml"  # the same spec, never trained: the untrained model on purpose
    fresh.write_text(spec.read_text().replace(str(tmp_path / "run"), str(tmp_path / "fresh")))
    untrained = ModelSession(fresh, registry=toy_registry(), untrained=True).start()
    untrained.pipeline(timeout=120)
    assert untrained.abilities().checkpoint is False and "Untrained" in untrained.status()
