"""Stages turn a labelled clip into prompt/target pairs; unseen classes never reach them."""

from __future__ import annotations

import numpy as np
import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.registry import get_registry
from skeletonllm.tasks import ClipContext, Prediction, TaskExample, TaskKind, parse_label, parse_yes_no, phrase
from skeletonllm_training.negatives import confusion_similarity, mine_hard_negatives, name_similarity

NAMES = ["wear a shoe", "take off a shoe", "clapping", "rub two hands together", "hand waving", "salute", "jump up"]
SEEN = [0, 1, 2, 3, 4, 5]  # "jump up" is unseen


def stage(name: str, **options):
    made = get_registry().create("stage", name, options)
    if made.default_teacher:
        made.use_teacher(get_registry().create("teacher", "template"))
    return made


def clip(label: int, text: str | None = None, references: tuple[str, ...] = ()) -> ClipContext:
    return ClipContext(f"clip{label}", label, NAMES, SEEN, text, references)


@pytest.mark.parametrize("name", ["warmup", "refine", "cr_distill"])
def test_multiple_choice_stages_offer_the_label_among_seen_distractors(name):
    rng = np.random.default_rng(0)
    st = stage(name, num_choices=4)
    for label in SEEN:
        (ex,) = st.examples(clip(label), rng)
        assert parse_label(ex.target) == NAMES[label]
        assert ex.answer == NAMES[label]
        assert NAMES[label] in ex.candidates and NAMES[label] in phrase(ex)
        assert "jump up" not in ex.candidates  # the unseen class is never offered in training


@pytest.mark.parametrize("name", ["warmup", "disc_ft", "cr_distill", "refine"])
def test_an_unseen_label_is_refused(name):
    with pytest.raises(SkeletonLLMError, match="not a seen class"):
        stage(name).examples(clip(6), np.random.default_rng(0))


def test_stage_trainable_groups_follow_the_paper():
    assert stage("warmup").trainable == ("renderer",)
    assert stage("disc_ft").trainable == ("renderer", "projector")
    assert stage("cr_distill").trainable == ("renderer", "projector", "lora")
    assert "renderer" not in stage("refine").trainable


def test_disc_ft_is_balanced_and_uses_hard_seen_negatives():
    st = stage("disc_ft", top_k=1, mining="names")
    rng = np.random.default_rng(1)
    answers, negatives = [], []
    for label in SEEN * 5:
        yes, no = st.examples(clip(label), rng)
        answers += [parse_yes_no(yes.target), parse_yes_no(no.target)]
        assert (yes.answer, no.answer) == ("yes", "no")
        negatives.append((label, no.subject))
    assert answers.count(True) == answers.count(False)
    shoe_negative = [p for lab, p in negatives if lab == 1][0]
    assert shoe_negative == "wear a shoe"  # the most similar seen name
    assert all(p != "jump up" for _, p in negatives)


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


def test_cr_distill_target_is_the_teachers_rationale_then_the_label(tmp_path):
    st = stage("cr_distill")
    (ex,) = st.examples(clip(4, text="the right hand swings side to side"), np.random.default_rng(0))
    assert ex.kind is TaskKind.RATIONALE
    assert ex.target.splitlines()[-1] == "Label: hand waving"
    assert "right hand swings" in ex.target


def test_cr_distill_table8_variants():
    blind = stage("cr_distill", tell_teacher_label=False)
    (ex,) = blind.examples(clip(4, text="the right hand swings"), np.random.default_rng(0))
    assert "hand waving" not in ex.target.rsplit("\n", 1)[0]  # only the label line names the class
    bare = stage("cr_distill", label_line=False)
    (ex,) = bare.examples(clip(4, text="the right hand swings"), np.random.default_rng(0))
    assert "Label:" not in ex.target and ex.answer is None and not ex.is_recognition
    with pytest.raises(NotImplementedError):
        bare.question(NAMES)


def test_cr_distill_without_a_teacher_says_how_to_get_one():
    with pytest.raises(SkeletonLLMError, match="teacher"):
        get_registry().create("stage", "cr_distill").examples(clip(0), np.random.default_rng(0))


def test_template_teacher_uses_the_clip_text_and_reads_given_rationales(tmp_path):
    teacher = get_registry().create("teacher", "template")
    text = teacher.rationale(clip(4))
    assert "arm" in text and "Label:" not in text
    assert "raised arm" in teacher.rationale(ClipContext("x", 5, NAMES, SEEN, "a raised arm held at the brow"))
    path = tmp_path / "r.yaml"
    path.write_text("Salute: 'The right hand rises to the brow and stays.'\n")
    given = get_registry().create("teacher", "template", {"rationales": str(path)})
    assert given.rationale(clip(5)).startswith("The right hand rises")
    path.write_text("- not a mapping\n")
    with pytest.raises(SkeletonLLMError, match="mapping"):
        get_registry().create("teacher", "template", {"rationales": str(path)})


def test_caption_stage_trains_on_the_clips_own_captions():
    st = stage("caption")
    refs = ("a person waves", "someone waves the right hand")
    targets = {st.examples(clip(4, references=refs), np.random.default_rng(i))[0].target for i in range(20)}
    assert targets == set(refs)
    (ex,) = st.examples(clip(4, text="a person waves"), np.random.default_rng(0))
    assert ex.kind is TaskKind.CAPTION and ex.references == ("a person waves",)
    with pytest.raises(SkeletonLLMError, match="caption"):
        st.examples(clip(4), np.random.default_rng(0))
    assert st.question(NAMES).kind is TaskKind.CAPTION


def recognition(answer: str, unseen: bool | None = None) -> TaskExample:
    meta = {} if unseen is None else {"unseen": unseen}
    return TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=NAMES, answer=answer, meta=meta)


def test_accuracy_metric_reports_seen_unseen_and_harmonic_mean():
    metric = get_registry().create("metric", "accuracy")
    metric.update(
        [
            Prediction(recognition("clapping", False), "Step 1...\nLabel: Clapping."),
            Prediction(recognition("hand waving", False), "Label: salute"),
            Prediction(recognition("jump up", True), "Label: jump up"),
            Prediction(recognition("jump up", True), "no label here"),
            Prediction(TaskExample(TaskKind.CAPTION), "a person waves"),  # not a recognition answer: ignored
        ]
    )
    out = metric.compute()
    assert out.values["accuracy"] == pytest.approx(0.5)
    assert out.values["seen_accuracy"] == pytest.approx(0.5)
    assert out.values["unseen_accuracy"] == pytest.approx(0.5)
    assert out.values["harmonic_mean"] == pytest.approx(0.5)
    assert out.chance["accuracy"] == pytest.approx(1 / len(NAMES))
    iv = out.intervals["accuracy"]
    assert (iv.n, iv.low, iv.high) == (
        4,
        pytest.approx(0.1500, abs=1e-4),
        pytest.approx(0.8500, abs=1e-4),
    )  # Wilson 2/4
    assert "1 of 4 answers named no label" in out.notes[""]
    (per_class,) = out.tables
    assert [row[0] for row in per_class.rows] == ["clapping", "hand waving", "jump up"]
    assert out.pictures[0].file == "confusion.png"
    metric.reset()
    empty = metric.compute()
    assert empty.values == {} and "no recognition answers" in empty.notes[""]  # not 0.0 over nothing
    metric.update([Prediction(recognition("salute"), "Label: salute")])
    assert set(metric.compute().values) == {"accuracy"}  # no class split: no seen/unseen figures


def test_accuracy_of_a_small_class_at_100_percent_has_a_wide_interval():
    metric = get_registry().create("metric", "accuracy")
    metric.update([Prediction(recognition("salute"), "Label: salute") for _ in range(6)])
    (row,) = metric.compute().tables[0].rows
    assert row == ("salute", "1.000", "[0.610, 1.000]", 6)


def test_the_confusion_matrix_counts_answers_outside_the_candidates_and_unparsed_ones(tmp_path):
    from skeletonllm_training.confusion import UNPARSED, Confusion

    predictions = [
        Prediction(recognition("clapping"), "Label: clapping"),
        Prediction(recognition("clapping"), "Label: kicking"),
        Prediction(recognition("jump up"), "?"),
    ]
    confusion = Confusion.of(predictions)
    assert confusion.labels == ["clapping", "jump up"]
    assert confusion.columns[-2:] == ["kicking", UNPARSED] and confusion.counts.sum() == 3
    assert confusion.counts[0, confusion.columns.index("kicking")] == 1 and confusion.unparsed == 1
    metric = get_registry().create("metric", "accuracy")
    metric.update(predictions)
    (picture,) = metric.compute().pictures
    picture.draw(tmp_path / picture.file)
    assert (tmp_path / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_train_option_overrides_the_stage_groups():
    assert stage("refine", train=["projector", "llm"]).groups == ("projector", "llm")
    assert stage("refine").groups == ("projector", "lora")
    with pytest.raises(Exception, match="train"):
        stage("refine", train=["everything"])


def test_multiple_choice_over_every_seen_class():
    (ex,) = stage("refine", num_choices=None).examples(clip(2), np.random.default_rng(0))
    assert sorted(ex.candidates) == sorted(NAMES[c] for c in SEEN)


def test_warmup_ratio_sets_each_stages_warmup():
    from skeletonllm.spec import OptimSpec

    assert OptimSpec(warmup_ratio=0.03).warmup_for(1000) == 30
    assert OptimSpec(warmup_ratio=0.03).warmup_for(10) == 1
    assert OptimSpec(warmup_steps=7).warmup_for(1000) == 7


def test_disc_ft_mines_motion_negatives_from_the_clips_it_is_prepared_with():
    from skeletonllm_datasets.synthetic import generate

    names = ["hand waving", "salute", "jump up", "hopping (one foot jumping)"]
    seen = [0, 1, 2, 3]
    st = stage("disc_ft", top_k=1)  # mining: motion is the default
    with pytest.raises(SkeletonLLMError, match="prepare"):
        st.examples(ClipContext("x", 0, names, seen), np.random.default_rng(0))
    clips = [
        ClipContext(f"{c}_{i}", c, names, seen, sequence=generate(name, "kinect_v2", 7 + i))
        for c, name in enumerate(names)
        for i in range(3)
    ]
    st.prepare(iter(clips))
    negatives = st.hard_negatives(names, seen)
    assert negatives[2] == [3]  # the jump's nearest mover is the hop (legs, vertical travel)
    yes, no = st.examples(clips[6], np.random.default_rng(0))
    assert (yes.subject, no.subject) == ("jump up", "hopping (one foot jumping)")
