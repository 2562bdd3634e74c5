"""What the page says the model can do: trained tasks from the checkpoint, its classes, and honest warnings."""

from __future__ import annotations

import pytest
from toy_components import toy_registry

from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskKind
from skeletonllm_app.abilities import Abilities, outside_candidates, reached_stages, task_of, trained_tasks


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
    stages = _stages("warmup", "disc_ft", "refine", "caption", "motion_qa")
    assert trained_tasks(stages, None) == ()  # no checkpoint: nothing was trained
    assert trained_tasks(stages, {"stage": 1, "step": 2}) == ("recognition",)  # warm-up's choice question
    assert trained_tasks(stages[1:2], {"stage": 0, "step": 9, "stage_done": True}) == ()  # YES/NO teaches no ask
    assert trained_tasks(stages, {"stage": 3, "step": 1}) == ("recognition", "caption")
    assert trained_tasks(stages, {"stage": 4, "step": 1, "stage_done": True}) == ("recognition", "caption", "qa")


def test_a_recorded_task_list_wins_over_the_derivation():
    stages = _stages("refine")
    manifest = {"stage": 0, "step": 9, "stage_done": True, "tasks": ["qa", "recognition", "poetry"]}
    assert trained_tasks(stages, manifest) == ("recognition", "qa")


def test_a_recognition_only_model_warns_that_other_answers_are_a_forced_choice():
    model = Abilities(("recognition",), ("hand waving", "jump up", "sit down", "kicking something"))
    assert model.can("recognition") and not model.can("caption") and not model.can("question")
    assert model.warning("recognition") == ""
    warning = model.warning("question")
    assert "trained only to name one of its 4 classes" in warning and "free questions" in warning
    assert "forced choice among hand waving, jump up, sit down, kicking something" in warning
    assert "to caption" in model.warning("caption")
    assert model.summary() == "Trained to name the action among candidates, on 4 classes."
    captioner = Abilities(("caption",), ("a", "b"))
    assert "not trained to choose among candidates (trained to: caption the motion)" in captioner.warning("recognition")
    untrained = Abilities((), ("a",), checkpoint=False)
    assert untrained.warning("question") == "" and "Untrained" in untrained.summary()


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
    assert "Trained to name the action among candidates, on 4 classes." in session.status()
    untrained = ModelSession(spec, registry=toy_registry()).start()
    untrained.pipeline(timeout=120)
    assert untrained.abilities().checkpoint is False and "Untrained" in untrained.status()
