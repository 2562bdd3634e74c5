"""Stages turn a labelled clip into prompt/target pairs; unseen classes never reach them."""

from __future__ import annotations

import numpy as np
import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.registry import get_registry
from skeletonllm_hf.answers import parse_label, parse_yes_no
from skeletonllm_training.negatives import confusion_similarity, mine_hard_negatives, name_similarity

NAMES = ["wear a shoe", "take off a shoe", "clapping", "rub two hands together", "hand waving", "salute", "jump up"]
SEEN = [0, 1, 2, 3, 4, 5]  # "jump up" is unseen


def stage(name: str, **options):
    return get_registry().create("stage", name, options)


@pytest.mark.parametrize("name", ["warmup", "refine", "cr_distill"])
def test_multiple_choice_stages_offer_the_label_among_seen_distractors(name):
    rng = np.random.default_rng(0)
    st = stage(name, num_choices=4)
    for label in SEEN:
        (ex,) = st.examples(label, NAMES, SEEN, rng)
        assert parse_label(ex.target) == NAMES[label]
        assert ex.answer == NAMES[label]
        assert NAMES[label] in ex.prompt
        assert "jump up" not in ex.prompt  # the unseen class is never offered in training


@pytest.mark.parametrize("name", ["warmup", "disc_ft", "cr_distill", "refine"])
def test_an_unseen_label_is_refused(name):
    with pytest.raises(SkeletonLLMError, match="not a seen class"):
        stage(name).examples(6, NAMES, SEEN, np.random.default_rng(0))


def test_stage_trainable_groups_follow_the_paper():
    assert stage("warmup").trainable == ("renderer",)
    assert stage("disc_ft").trainable == ("renderer", "projector")
    assert stage("cr_distill").trainable == ("renderer", "projector", "lora")
    assert "renderer" not in stage("refine").trainable


def test_disc_ft_is_balanced_and_uses_hard_seen_negatives():
    st = stage("disc_ft", top_k=1)
    rng = np.random.default_rng(1)
    answers, negatives = [], []
    for label in SEEN * 5:
        yes, no = st.examples(label, NAMES, SEEN, rng)
        answers += [parse_yes_no(yes.target), parse_yes_no(no.target)]
        negatives.append((label, no.prompt))
    assert answers.count(True) == answers.count(False)
    shoe_negative = [p for lab, p in negatives if lab == 1][0]
    assert "wear a shoe" in shoe_negative  # the most similar seen name
    assert all("jump up" not in p for _, p in negatives)


def test_name_similarity_pairs_confusable_names():
    sim = name_similarity(NAMES)
    assert sim.shape == (7, 7)
    assert np.allclose(np.diag(sim), 1.0)
    negs = mine_hard_negatives(sim, SEEN, top_k=2)
    assert negs[0][0] == 1 and negs[1][0] == 0
    assert all(6 not in v and k not in v for k, v in negs.items())


def test_confusion_mining_prefers_the_classes_actually_confused():
    conf = np.eye(3) * 10
    conf[0, 2] = 5  # class 0 is often predicted as class 2
    negs = mine_hard_negatives(confusion_similarity(conf), [0, 1, 2], top_k=1)
    assert negs[0] == [2] and negs[2] == [0]
    with pytest.raises(SkeletonLLMError):
        mine_hard_negatives(confusion_similarity(conf), [0], top_k=1)


def test_disc_ft_confusion_mining_needs_a_matrix():
    with pytest.raises(SkeletonLLMError, match="confusion"):
        stage("disc_ft", mining="confusion")


def test_teacher_rationale_ends_with_the_label_and_reads_given_rationales(tmp_path):
    teacher = get_registry().create("teacher", "template")
    text = teacher.rationale("hand waving")
    assert text.splitlines()[-1] == "Label: hand waving"
    assert "arm" in text
    assert "raised arm" in teacher.rationale("salute", "a raised arm held at the brow")
    path = tmp_path / "r.yaml"
    path.write_text("Salute: 'The right hand rises to the brow and stays.'\n")
    given = get_registry().create("teacher", "template", {"rationales": str(path)})
    assert given.rationale("salute").startswith("The right hand rises")
    path.write_text("- not a mapping\n")
    with pytest.raises(SkeletonLLMError, match="mapping"):
        get_registry().create("teacher", "template", {"rationales": str(path)})


def test_accuracy_metric_reports_seen_unseen_and_harmonic_mean():
    metric = get_registry().create("metric", "accuracy", {"unseen": ["Jump Up"]})
    metric.update(
        ["Step 1...\nLabel: Clapping.", "Label: salute", "Label: jump up", "no label here"],
        ["clapping", "hand waving", "jump up", "jump up"],
    )
    out = metric.compute()
    assert out["accuracy"] == pytest.approx(0.5)
    assert out["seen_accuracy"] == pytest.approx(0.5)
    assert out["unseen_accuracy"] == pytest.approx(0.5)
    assert out["harmonic_mean"] == pytest.approx(0.5)
    metric.reset()
    assert metric.compute() == {"accuracy": 0.0, "seen_accuracy": 0.0, "unseen_accuracy": 0.0, "harmonic_mean": 0.0}


def test_train_option_overrides_the_stage_groups():
    assert stage("refine", train=["projector", "llm"]).groups == ("projector", "llm")
    assert stage("refine").groups == ("projector", "lora")
    with pytest.raises(Exception, match="train"):
        stage("refine", train=["everything"])
