"""The caption fact check: side, moving part, direction and style a caption states, against the clip's truth."""

from __future__ import annotations

import pytest

from conftest import shared_file
from skeletonllm.io import read_sequences
from skeletonllm.tasks import Prediction, TaskExample, TaskKind
from skeletonllm_datasets.label_captions import caption_rules
from skeletonllm_datasets.protocol_data import benchmark
from skeletonllm_datasets.synthetic import generate
from skeletonllm_training.caption_fact_check import check, clip_truth, stated, stated_repetitions
from skeletonllm_training.caption_metric import CaptioningMetric
from skeletonllm_training.kinematics import analyse


def facts(name: str, content: str, style: str | None = None) -> dict:
    return caption_rules(name).captions(content, style).facts


def judged(caption: str, truth) -> dict:  # noqa: ANN001
    return {k: v for k, v in check(caption, truth).items() if v is not None}


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("An exhausted person waves the left hand.", {"side": True, "part": True, "style": True}),
        ("A tired person waves the left hand.", {"side": True, "part": True, "style": True}),
        ("A person waves the right hand energetically.", {"side": False, "part": True, "style": False}),
        ("Someone waves both hands.", {"side": False, "part": True}),
        ("A person walks straight ahead.", {"part": False}),
        ("A person stands.", {}),
    ],
)
def test_hand_part_and_style_of_a_labelled_wave(caption, expected):
    truth = clip_truth(facts("bandai2", "wave-left-hand", "exhausted"), None)
    assert judged(caption, truth) == expected


@pytest.mark.parametrize(
    ("content", "caption", "direction"),
    [
        ("walk-turn-left", "A person walks and turns left.", True),
        ("walk-turn-left", "Someone walks, turning to the left.", True),
        ("walk-turn-left", "A person walks and turns right.", False),
        ("walk-turn-left", "A person walks straight ahead.", False),
        ("walk", "A person makes a left turn while walking.", False),
        ("walk", "A person walks forward in a straight line.", True),
        ("raise-up-both-hands", "A person raises both hands up.", True),
        ("raise-up-both-hands", "A person lowers both arms down.", False),
        ("wave-left-hand", "A person waves the left hand.", None),  # the label gives no direction, no skeleton here
    ],
)
def test_direction_is_compared_on_the_axes_the_truth_knows(content, caption, direction):
    truth = clip_truth(facts("bandai2", content, "normal"), None)
    assert check(caption, truth)["direction"] is direction


def test_two_people_and_synonymous_styles_and_axes_stated_both_ways():
    approaching = clip_truth(facts("sbu", "approaching"), None)
    assert check("One person walks up to the other.", approaching)["direction"] is True  # "up to" is not "up"
    assert check("One person walks away from the other.", approaching)["direction"] is False
    old = clip_truth(facts("bandai1", "bow", "old"), None)
    assert judged("An elderly person bows.", old) == {"part": True, "direction": True, "style": True}
    assert check("A proud person bows.", old)["style"] is False
    assert stated("A person beats both hands up and down.")["directions"] == {}  # both ways: states neither
    assert stated("Someone takes steps without confidence")["styles"] == {"not confident"}


@pytest.mark.parametrize("name", ["bandai1", "bandai2", "sbu", "msrc12"])
def test_every_reference_the_rules_make_agrees_with_its_own_label(name):
    data = benchmark(name)
    styles = [s["name"] for s in data.raw.get("styles") or ()] or [None]
    for content in data.class_names:
        for style in styles:
            made = caption_rules(name).captions(content, style, 2 if name == "msrc12" else None)
            truth = clip_truth(made.facts, None)
            for sentence in made.references:
                verdict = check(sentence, truth)
                assert False not in verdict.values(), (content, style, sentence, verdict)
                if style not in (None, "normal"):
                    assert verdict["style"] is True, (sentence, style)


def test_without_label_facts_the_skeleton_is_the_truth():
    seq = read_sequences(shared_file("bandai_namco/dataset-2_wave-left-hand_active_011.bvh"), format="bvh")[0]
    truth = clip_truth(None, analyse(seq), seq)
    assert truth.sources == {"side": "skeleton", "part": "skeleton", "repetitions": "skeleton"} and truth.style is None
    assert judged("A person waves the left hand.", truth) == {"side": True, "part": True}
    assert check("A person waves the right hand.", truth)["side"] is False
    assert check("A person kicks with the left leg.", truth)["part"] is False


def test_the_captioning_metric_reports_the_check_with_its_ceiling():
    made = caption_rules("bandai2").captions("wave-right-hand", "youthful")
    example = TaskExample(TaskKind.CAPTION, references=made.references, meta={"facts": made.facts})
    other = caption_rules("bandai2").captions("walk-turn-left", "normal")
    walk = TaskExample(TaskKind.CAPTION, references=other.references, meta={"facts": other.facts})
    metric = CaptioningMetric(CaptioningMetric.Options(bertscore=False))
    outputs = [
        "A young person waves the right hand.",
        "A person waves the left hand.",
        "A person walks and turns left.",
    ]
    metric.update([Prediction(ex, out, f"c{i}") for i, (ex, out) in enumerate(zip([example, example, walk], outputs))])
    result = metric.compute()
    values = result.values
    assert values["fact_check_agreement"] == pytest.approx(2 / 3) and values["fact_check_side"] == pytest.approx(1 / 2)
    assert values["fact_check_agreement_references"] == 1.0 and values["fact_check_style"] == 1.0
    assert values["distinct_captions"] == 3 and values["distinct_references"] == 2
    assert result.intervals["fact_check_agreement"].n == 3
    table = next(t for t in result.tables if t.title == "Caption fact check")
    assert table.rows[0][:3] == ("side", "1/2", "2/2")


def test_repetitions_stated_against_the_label_count_else_the_measured_one():
    assert stated_repetitions("claps the hands five times") == 5 and stated_repetitions("claps 3 times") == 3
    assert stated_repetitions("waves twice") == 2 and stated_repetitions("kicks once") == 1
    assert stated_repetitions("waves") is None
    assert judged("A person lifts the arms four times.", clip_truth({"instances": 3}, None)) == {"repetitions": True}
    assert check("A person lifts the arms twice.", clip_truth({"instances": 5}, None))["repetitions"] is False
    for seed in range(20):  # a SynthAct wave that measures several repetitions
        seq = generate("hand waving", "kinect_v2", seed)
        motion = analyse(seq)
        reps = motion.main.main.repetitions
        if reps >= 3:
            break
    else:
        pytest.skip("no repeated wave among the first seeds")
    truth = clip_truth(None, motion, seq)
    assert truth.sources["repetitions"] == "skeleton"
    assert check(f"someone waves {reps} times", truth)["repetitions"] is True
    assert check(f"someone waves {reps + 3} times", truth)["repetitions"] is False
