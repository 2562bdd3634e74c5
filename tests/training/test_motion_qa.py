"""Motion QA: questions of four kinds with answers computed from the clip; the stage and the metric."""

from __future__ import annotations

import types
from collections import Counter

import numpy as np
import pytest

import skeletonllm.registry as registry_module
from skeletonllm import hookimpl
from skeletonllm.errors import SpecError
from skeletonllm.interfaces import Question
from skeletonllm.registry import Registry, get_registry
from skeletonllm.spec import validate_spec
from skeletonllm.tasks import ClipContext, Prediction, TaskExample, TaskKind, choice_line, normalise
from skeletonllm_datasets.synthetic import ACTIONS, generate
from skeletonllm_training.kinematics import analyse
from skeletonllm_training.motion_qa import HEIGHT_ANSWERS, HEIGHT_QUESTION, QA_KINDS, causal, fine_grained
from skeletonllm_training.motion_qa_stage import MotionQAMetric, MotionQAOptions, MotionQAStage

SEEN = list(range(len(ACTIONS)))


def _clip(action: str, seed: int, topology: str = "kinect_v2") -> ClipContext:
    return ClipContext(
        f"{action}:{seed}", ACTIONS.index(action), ACTIONS, SEEN, sequence=generate(action, topology, seed)
    )


@pytest.fixture(scope="module")
def stage() -> MotionQAStage:
    stage = MotionQAStage()
    stage.prepare(_clip(a, 100 + i) for a in ACTIONS for i in range(3))
    return stage


def test_every_kind_is_asked_with_four_distinct_options_that_contain_the_answer(stage):
    kinds = Counter()
    for action in ACTIONS:
        for example in stage.questions(_clip(action, 7)):
            assert example.kind is TaskKind.QA and example.question
            assert len(example.candidates) == 4 and len({normalise(c) for c in example.candidates}) == 4
            assert example.answer in example.candidates
            assert example.target == choice_line(example.answer)
            assert example.references and example.references[0].endswith(".")
            assert ACTIONS[ACTIONS.index(action)] not in example.question or example.meta["qa_kind"] == "contrastive"
            kinds[example.meta["qa_kind"]] += 1
    assert set(kinds) == set(QA_KINDS), kinds


def test_answers_follow_what_the_generator_performed():
    def height_answers(action: str, seed: int) -> set[str]:
        facts = analyse(generate(action, "smpl22", seed))
        asked = [causal(facts, np.random.default_rng(draw)) for draw in range(12)]
        return {e.answer for e in asked if e.question == HEIGHT_QUESTION}

    for seed in range(4):  # a jump crouches before it takes off, a squat lowers, a wave keeps its height
        assert height_answers("jump up", seed) == {HEIGHT_ANSWERS["jump"]}
        assert height_answers("squat down", seed) <= {HEIGHT_ANSWERS["lower"]}
        assert height_answers("hand waving", seed) <= {HEIGHT_ANSWERS["none"]}
    checked = 0
    for seed in range(12):  # which hand waves, how fast: against meta['synth']
        seq = generate("hand waving", "kinect_v2", seed)
        synth = seq.meta["synth"]
        for draw in range(6):
            example = fine_grained(analyse(seq), np.random.default_rng(draw), synth)
            if example.question == "Which hand moves most?":
                assert example.answer == f"the {'left' if synth['mirrored'] else 'right'} hand"
                checked += 1
            elif example.question == "How fast is the action performed?":
                expected = "faster" if synth["speed"] > 1.3 else "slower" if synth["speed"] < 0.77 else "usual"
                assert expected in example.answer
                checked += 1
    assert checked >= 12


def test_questions_are_the_same_on_every_run_and_training_examples_vary(stage):
    clip = _clip("squat down", 3)
    assert stage.questions(clip) == stage.questions(clip)
    drawn = {e.question for s in range(20) for e in stage.examples(clip, np.random.default_rng(s))}
    assert len(drawn) >= 3
    assert all(len(stage.examples(clip, np.random.default_rng(s))) == 2 for s in range(5))


def test_contrastive_questions_need_prepare_and_open_questions_carry_the_sentence():
    bare = MotionQAStage(MotionQAOptions(kinds=["contrastive"]))
    clip = _clip("clapping", 1)
    assert bare.questions(clip) == []
    assert bare.examples(clip, np.random.default_rng(0))  # falls back to a fine-grained question
    open_stage = MotionQAStage(MotionQAOptions(kinds=["causal"], open_share=1.0))
    (example,) = open_stage.examples(_clip("jump up", 2, "smpl22"), np.random.default_rng(0))
    assert not example.candidates and example.target == example.references[0] and example.meta["open"]
    assert bare.question(["a", "b"]).kind is TaskKind.QA  # what tells evaluation this stage teaches QA


def test_the_metric_reports_accuracy_per_kind_and_keeps_open_answers(stage):
    examples = [e for a in ACTIONS[:8] for e in stage.questions(_clip(a, 4))]
    metric = get_registry().create("metric", "motion_qa")
    assert isinstance(metric, MotionQAMetric)
    right = [Prediction(e, f"Answer: {e.answer}") for e in examples]
    wrong = [Prediction(e, f"Answer: {next(c for c in e.candidates if c != e.answer)}") for e in examples]
    metric.update(right + wrong)
    result = metric.compute()
    scores = result.values
    assert scores["qa_accuracy"] == pytest.approx(0.5)
    assert {f"qa_accuracy_{k}" for k in QA_KINDS} <= set(scores)
    assert all(v == pytest.approx(0.5) for v in scores.values())
    assert result.chance["qa_accuracy"] == pytest.approx(0.25)  # four options
    assert result.intervals["qa_accuracy"].n == 2 * len(examples) and "independent" in result.notes["qa_accuracy"]
    open_stage = MotionQAStage(MotionQAOptions(kinds=["causal"], open_share=1.0))
    (example,) = open_stage.examples(_clip("jump up", 2, "smpl22"), np.random.default_rng(0))
    metric.update([Prediction(example, " ".join(example.references[0].split()[:3]))])
    scores = metric.compute().values
    assert scores["qa_accuracy"] == pytest.approx(0.5)
    assert 0.0 < scores["qa_open_rouge_l"] < 1.0  # part of the reference sentence
    exact = get_registry().create("metric", "motion_qa")
    exact.update([Prediction(example, example.references[0])])
    assert exact.compute().values["qa_open_rouge_l"] == pytest.approx(1.0)
    scored = metric.score_open(lambda outputs, refs: {"rouge_l": float(len(outputs) == len(refs) == 1)})
    assert scored == {"qa_open_rouge_l": 1.0}


def test_the_stage_is_registered_and_trains_projector_and_lora():
    stage = get_registry().create("stage", "motion_qa", {"kinds": ["temporal"], "per_clip": 1})
    assert stage.groups == ("projector", "lora")


def test_no_question_wording_fixes_its_answer():
    """A text-only prior (the most frequent answer per question over training clips) stays far from perfect."""
    train = [_clip(a, 200 + i) for a in ACTIONS for i in range(3)]
    stage = MotionQAStage()
    stage.prepare(train)
    prior: dict[str, Counter] = {}
    for clip in train:
        for example in stage.questions(clip):
            prior.setdefault(example.question, Counter())[example.answer] += 1
    hits: dict[str, list[bool]] = {}
    for action in ACTIONS:
        for example in stage.questions(_clip(action, 11)):
            counts = prior.get(example.question, Counter())
            guess = max(example.candidates, key=lambda option: counts[option])
            hits.setdefault(example.meta["qa_kind"], []).append(guess == example.answer)
    rates = {kind: sum(v) / len(v) for kind, v in hits.items()}
    assert set(rates) == set(QA_KINDS)
    assert all(rate < 0.8 for rate in rates.values()), rates


class ReachQuestion(Question):
    """A kind a dataset plugin might add: which hand reaches higher (answered from the clip)."""

    name = "reach"
    summary = "which hand reaches higher"

    def ask(self, clip, rng):
        seq = clip.sequence
        topo = seq.topology
        left, right = topo.index("HandLeft"), topo.index("HandRight")
        higher = "left" if seq.positions[0, :, left, 1].max() > seq.positions[0, :, right, 1].max() else "right"
        options = ["left", "right", "both", "neither"]
        return TaskExample(
            TaskKind.QA,
            target=choice_line(higher),
            answer=higher,
            candidates=options,
            question="Which hand reaches higher?",
            references=(f"the {higher} hand reaches higher",),
            meta={"qa_kind": self.name},
        )


def test_a_new_question_kind_is_one_registration_in_a_plugin(monkeypatch):
    plugin = types.SimpleNamespace(register_questions=hookimpl(lambda register: register(ReachQuestion)))
    plugin.register_questions.__name__ = "register_questions"
    registry = Registry()
    registry.add_plugin(plugin, "reach_plugin", "reach-dist")
    monkeypatch.setattr(registry_module, "_REGISTRY", registry)

    stage = registry.create("stage", "motion_qa", {"kinds": ["temporal", "reach"], "per_clip": 2})
    asked = stage.questions(_clip("hand waving", 3))
    assert "reach" in {e.meta["qa_kind"] for e in asked}
    assert "reach" in MotionQAStage().kinds  # the default asks every registered kind
    metric = registry.create("metric", "motion_qa")
    metric.update([Prediction(e, choice_line(e.answer)) for e in asked])
    assert metric.compute().values["qa_accuracy_reach"] == 1.0  # the metric scores any kind it is given
    with pytest.raises(SpecError, match="unknown question 'raech'; did you mean 'reach'"):
        validate_spec(
            {"data": "synthetic", "renderer": "stick", "backbone": "qwen2_5_vl",
             "stages": [{"name": "motion_qa", "kinds": ["raech"]}], "eval": {"task": "qa"}},
            registry,
            check_files=False,
        )  # fmt: skip
