"""The Ask tab's data: typed questions, a spec's model (with its checkpoint) answering, and the teacher."""

from __future__ import annotations

import json
import types

import pytest
import yaml
from toy_components import toy_registry

import skeletonllm.registry as registry_module
from skeletonllm import hookimpl
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Teacher
from skeletonllm.pipeline import Pipeline
from skeletonllm.registry import Registry, get_registry
from skeletonllm.spec import load_spec
from skeletonllm.tasks import TaskKind
from skeletonllm.training import LAST, Trainer
from skeletonllm_app.clip import read_clip
from skeletonllm_app.model import ModelSession, make_example, parse_candidates, pick_teacher_name, teacher_rationale


def _spec_file(tmp_path, steps: int = 60):
    data = {
        "data": {"name": "toy_data", "per_class": 8},
        "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
        "backbone": "toy_backbone",
        "stages": [{"name": "refine", "max_steps": steps}],
        "optim": {"lr": 0.1, "batch_size": 8, "save_every": 1000, "seed": 1},
        "output_dir": str(tmp_path / "run"),
    }
    path = tmp_path / "toy.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data))
    return path


def _toy_file(tmp_path, name: str, xy: tuple[float, float]):
    path = tmp_path / name
    path.write_text(json.dumps({"toy_xy": list(xy)}))
    return read_clip(path, registry=toy_registry()).sequence


def test_candidates_are_split_on_commas_and_lines_without_blanks_or_repeats():
    assert parse_candidates("drink water, jump up\nsit down,, Jump Up\n  ") == ["drink water", "jump up", "sit down"]
    assert parse_candidates("") == []


def test_each_kind_makes_its_typed_question_and_says_what_is_missing():
    assert make_example("recognition", ["a", "b"]).candidates == ("a", "b")
    assert make_example("caption").kind is TaskKind.CAPTION
    qa = make_example("question", question="  which hand?  ")
    assert qa.kind is TaskKind.QA and qa.question == "which hand?"
    with pytest.raises(SkeletonLLMError, match="candidate class name"):
        make_example("recognition", [])
    with pytest.raises(SkeletonLLMError, match="type a question"):
        make_example("question", question=" ")
    with pytest.raises(SkeletonLLMError, match="unknown question kind"):
        make_example("poem")


def test_without_a_spec_the_page_says_how_to_get_a_model():
    session = ModelSession(None).start()
    assert "start the app with a spec" in session.status()
    with pytest.raises(SkeletonLLMError, match="start the app with a spec"):
        session.pipeline()


def test_a_broken_spec_is_reported_not_raised_in_the_background(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("renderer: {name: draction, frames: -1}\n")
    session = ModelSession(bad).start()
    with pytest.raises(SkeletonLLMError):
        session.pipeline(timeout=60)
    assert "failed to load" in session.status()


def test_the_checkpoint_is_what_answers(tmp_path):
    """Trained toy weights name the side a clip stands on; the same spec without them does not know."""
    spec = _spec_file(tmp_path)
    Trainer(Pipeline(load_spec(spec, toy_registry())), show_progress=False).fit()
    trained = ModelSession(spec, tmp_path / "run" / LAST, registry=toy_registry()).start()
    candidates = ["left", "right", "up", "down"]
    for name, xy in [("left", (-1.0, 0.0)), ("right", (1.0, 0.0)), ("up", (0.0, 1.0)), ("down", (0.0, -1.0))]:
        answer = trained.ask(_toy_file(tmp_path, f"{name}.dat", xy), "recognition", candidates, None, 8)
        assert answer.parsed == name, answer.output
        assert answer.output == f"Label: {name}"
        assert all(c in answer.prompt for c in candidates)  # the user's names are what the model chose among
        assert answer.frames.shape[0] == 3  # the spec renderer's frames: what the model saw
    assert "backbone toy_backbone" in trained.status()
    fresh = _spec_file(tmp_path / "fresh")  # the same spec, never trained
    untrained = ModelSession(fresh, registry=toy_registry(), untrained=True).start()
    answers = {
        untrained.ask(_toy_file(tmp_path, f"{n}.dat", xy), "recognition", candidates, None, 8).parsed
        for n, xy in [("l", (-1.0, 0.0)), ("r", (1.0, 0.0)), ("u", (0.0, 1.0)), ("d", (0.0, -1.0))]
    }
    assert len(answers) < 4


def test_zero_shot_candidates_limit_the_answer(tmp_path):
    session = ModelSession(_spec_file(tmp_path, steps=1), registry=toy_registry(), untrained=True).start()
    answer = session.ask(_toy_file(tmp_path, "c.dat", (1.0, 0.0)), "recognition", ["up"], None, 8)
    assert answer.parsed == "up"


def test_a_missing_checkpoint_is_reported_with_its_path(tmp_path):
    spec = _spec_file(tmp_path, steps=1)
    session = ModelSession(spec, tmp_path / "nowhere", registry=toy_registry()).start()
    with pytest.raises(SkeletonLLMError, match="nowhere"):
        session.pipeline(timeout=60)
    assert "failed to load" in session.status() and "nowhere" in session.status()


def test_the_app_takes_a_checkpoint_by_the_rule_infer_and_evaluate_follow(tmp_path):
    """Issue 23: a never-trained spec, or a checkpoint of another spec, is refused in the same words."""
    spec = _spec_file(tmp_path, steps=2)
    never = ModelSession(spec, registry=toy_registry()).start()
    with pytest.raises(SkeletonLLMError, match="was never trained.*--untrained"):
        never.pipeline(timeout=60)
    Trainer(Pipeline(load_spec(spec, toy_registry())), show_progress=False).fit()
    found = ModelSession(spec, registry=toy_registry()).start()  # output_dir/last, as infer finds it
    found.pipeline(timeout=60)
    assert found.checkpoint == tmp_path / "run" / LAST and found.manifest["stage"] == 0
    other = yaml.safe_load(spec.read_text())
    other["optim"]["lr"] = 0.05
    other_spec = tmp_path / "other.yaml"
    other_spec.write_text(yaml.safe_dump(other))
    refused = ModelSession(other_spec, tmp_path / "run" / LAST, registry=toy_registry()).start()
    with pytest.raises(SkeletonLLMError, match="written by another spec.*--allow-spec-mismatch"):
        refused.pipeline(timeout=60)
    allowed = ModelSession(other_spec, tmp_path / "run" / LAST, registry=toy_registry(), allow_mismatch=True)
    allowed.start().pipeline(timeout=60)
    assert "using it because of --allow-spec-mismatch" in allowed.status()


def test_an_unverified_checkpoint_needs_allow_unverified_in_the_app_too(tmp_path):
    """Issue 23: a checkpoint without its integrity record is refused by the rule infer follows, and
    accepted with --allow-unverified, the warning shown on the page once."""
    from skeletonllm.checkpoint import INTEGRITY, MANIFEST

    spec = _spec_file(tmp_path, steps=2)
    Trainer(Pipeline(load_spec(spec, toy_registry())), show_progress=False).fit()
    manifest_path = tmp_path / "run" / LAST / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    del manifest[INTEGRITY]
    manifest_path.write_text(json.dumps(manifest))
    refused = ModelSession(spec, registry=toy_registry()).start()
    with pytest.raises(SkeletonLLMError, match="cannot be verified.*--allow-unverified"):
        refused.pipeline(timeout=60)
    allowed = ModelSession(spec, registry=toy_registry(), allow_unverified=True).start()
    allowed.pipeline(timeout=60)
    assert allowed.status().count("using it unverified (--allow-unverified)") == 1


def test_the_teacher_describes_the_clip_without_being_told_the_class(tmp_path):
    assert pick_teacher_name() == "kinematic"  # the built-in that declares default_for = ("describe",)
    assert pick_teacher_name("template") == "template"
    with pytest.raises(SkeletonLLMError, match="unknown teacher"):
        pick_teacher_name("templat")
    teacher = get_registry().create("teacher", "template")
    text = teacher_rationale(teacher, _toy_file(tmp_path, "c.dat", (1.0, 0.0)), "c.dat", ["jump up", "sit down"])
    assert text.startswith("Step 1")
    assert "jump up" not in text and "sit down" not in text and "Label:" not in text


def test_a_free_question_to_a_recognition_only_model_is_flagged_as_a_forced_choice(tmp_path):
    spec = _spec_file(tmp_path, steps=2)
    Trainer(Pipeline(load_spec(spec, toy_registry())), show_progress=False).fit()
    session = ModelSession(spec, tmp_path / "run" / LAST, registry=toy_registry()).start()
    clip = _toy_file(tmp_path, "c.dat", (1.0, 0.0))
    answer = session.ask(clip, "question", [], "Which leg moves first?", 8)
    assert "forced choice among left, right, up, down" in answer.warning
    assert session.ask(clip, "recognition", ["left", "right"], None, 8).warning == ""


def test_an_answer_outside_the_candidates_is_flagged(tmp_path, monkeypatch):
    import toy_components

    spec = _spec_file(tmp_path, steps=1)
    session = ModelSession(spec, registry=toy_registry(), untrained=True).start()
    monkeypatch.setattr(toy_components.ToyBackbone, "generate", lambda self, f, ex, n=32: ["Label: jump up"] * len(ex))
    answer = session.ask(_toy_file(tmp_path, "c.dat", (1.0, 0.0)), "recognition", ["left", "right"], None, 8)
    assert answer.parsed == "jump up"
    assert "'jump up' is not one of the candidates you gave" in answer.warning


class _Describer(Teacher):
    """Says what it sees (a third-party teacher that declares itself the describer)."""

    name = "describer"
    default_for = ("describe",)

    def rationale(self, clip, *, know_label: bool = True) -> str:
        return "Step 1: something moves."


def _teachers_registry(*targets) -> Registry:
    registry = Registry(load_entry_points=False)
    plugin = types.SimpleNamespace(register_teachers=hookimpl(lambda register: [register(t) for t in targets]))
    plugin.register_teachers.__name__ = "register_teachers"
    registry.add_plugin(plugin, "teachers", distribution="third-party")
    return registry


def test_the_app_names_no_teacher_it_asks_the_registry_for_the_describer(monkeypatch):
    monkeypatch.setattr(
        registry_module, "_REGISTRY", _teachers_registry("skeletonllm_training.teacher:TemplateTeacher")
    )
    with pytest.raises(SkeletonLLMError, match="default for 'describe'.*template"):
        pick_teacher_name()  # the template teacher declares nothing: said, with the teachers installed
    monkeypatch.setattr(
        registry_module, "_REGISTRY", _teachers_registry("skeletonllm_training.teacher:TemplateTeacher", _Describer)
    )
    assert pick_teacher_name() == "describer" and pick_teacher_name("template") == "template"
