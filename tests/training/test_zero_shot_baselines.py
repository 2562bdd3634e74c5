"""The joint-reading zero-shot baselines: skeleton_align learns, its blind twin cannot see, describe_match reads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.pipeline import Pipeline
from skeletonllm.registry import get_registry
from skeletonllm.spec import validate_spec
from skeletonllm.tasks import TaskExample, TaskKind, label_line
from skeletonllm.training import Trainer

CLEAR = ["hand waving", "kicking something", "sitting down", "jump up", "clapping", "nod head/bow"]


def synthact(actions, per_class, topology="smpl22"):
    dataset = get_registry().create(
        "dataset", "synthetic", {"topology": topology, "samples_per_class": per_class, "actions": actions}
    )
    from skeletonllm_datasets.synthetic.dataset import is_test_subject

    train, test = [], []
    for sample in dataset.all_samples():
        (test if is_test_subject(sample.meta["subject"]) else train).append((sample.load(), sample.label))
    return dataset, train, test


def asked(names, label=None):
    example = TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=names)
    return (
        example
        if label is None
        else TaskExample(
            TaskKind.MULTIPLE_CHOICE, target=label_line(names[label]), answer=names[label], candidates=names
        )
    )


@pytest.mark.slow
def test_skeleton_align_learns_and_names_held_out_performers():
    torch.manual_seed(0)
    actions = CLEAR[:4]
    dataset, train, test = synthact(actions, 8)  # 6 training and 2 held-out performers a class
    model = get_registry().create("backbone", "skeleton_align", {"text": ["name", "whole"], "steps": 16, "hidden": 64})
    model.describe_classes(dataset.class_descriptions())
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(30):
        picked = rng.choice(len(train), size=12, replace=False)
        batch = SkeletonBatch.from_sequences([train[i][0] for i in picked], frames=16, train=True, rng=rng)
        loss = model.loss(model.model_input(None, batch), [asked(actions, train[i][1]) for i in picked])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:10])
    model.eval()
    inputs = model.model_input(None, SkeletonBatch.from_sequences([s for s, _ in test], frames=16))
    scores = model.candidate_scores(inputs, [asked(actions)] * len(test))
    accuracy = (scores.argmax(1) == torch.tensor([y for _, y in test])).float().mean().item()
    assert accuracy > 0.5, f"held-out performers, 4-way (chance 0.25): {accuracy:.2f}"
    answers = model.generate(inputs[:1], [asked(actions)])
    assert answers == [label_line(actions[int(scores[0].argmax())])]


def test_blind_prior_gives_every_clip_the_same_scores():
    dataset, train, _ = synthact(CLEAR[:3], 2)
    model = get_registry().create("backbone", "skeleton_align", {"blind": True, "text": ["name"]})
    inputs = model.model_input(None, SkeletonBatch.from_sequences([s for s, _ in train], frames=8))
    scores = model.candidate_scores(inputs, [asked(CLEAR[:3])] * len(train))
    assert scores.shape == (len(train), 3)
    assert torch.allclose(scores, scores[:1].expand_as(scores))
    assert model.parameter_groups()["vision"] == [model.constant]


def test_missing_description_and_frames_are_clear_errors():
    model = get_registry().create("backbone", "skeleton_align", {"text": ["whole"]})
    _, train, _ = synthact(CLEAR[:2], 1)
    inputs = model.model_input(None, SkeletonBatch.from_sequences([s for s, _ in train], frames=8))
    with pytest.raises(SkeletonLLMError, match="no description of class 'hand waving'"):
        model.generate(inputs, [asked(CLEAR[:2])] * len(train))
    with pytest.raises(SkeletonLLMError, match="one clip per example"):
        model.generate(inputs, [asked(CLEAR[:2])])


@pytest.mark.slow
def test_describe_match_names_clear_synthact_clips_above_chance():
    dataset, train, test = synthact(CLEAR, 4)
    model = get_registry().create("backbone", "describe_match", {})
    model.describe_classes(dataset.class_descriptions())
    clips = train + test
    inputs = model.model_input(None, SkeletonBatch.from_sequences([s for s, _ in clips], frames=32))
    scores = model.candidate_scores(inputs, [asked(CLEAR)] * len(clips))
    accuracy = (scores.argmax(1) == torch.tensor([y for _, y in clips])).float().mean().item()
    assert accuracy >= 2 / len(CLEAR), f"{len(CLEAR)}-way, chance {1 / len(CLEAR):.2f}: {accuracy:.2f}"
    with pytest.raises(NotImplementedError, match="does not learn"):
        model.loss(inputs[:1], [asked(CLEAR, 0)])


def mixture_of_two_topologies(actions):
    """SynthAct in Kinect v1 and SMPL-22 as one dataset: every batch mixes two topologies."""
    part = {"name": "synthetic", "samples_per_class": 4, "actions": actions}
    return {
        "name": "mixture",
        "parts": [
            {"data": {**part, "topology": "kinect_v1"}, "train": "xsub/train", "test": "xsub/test", "label": "k1"},
            {"data": {**part, "topology": "smpl22"}, "train": "xsub/train", "test": "xsub/test", "label": "s22"},
        ],
    }


def test_joint_backbones_run_through_the_pipeline(tmp_path):
    """Training and evaluation feed a joint-reading backbone its own input, over mixed topologies too."""
    spec = {
        "data": mixture_of_two_topologies(CLEAR[:3]),
        "renderer": {"name": "stick", "frames": 8, "size": 16},
        "backbone": {"name": "skeleton_align", "steps": 8, "hidden": 16},
        "stages": [{"name": "refine", "max_steps": 2, "num_choices": None, "train": ["vision", "projector"]}],
        "split": {"train": "mixed/train", "test": "mixed/test"},
        "optim": {"batch_size": 8, "save_every": 100},
        "eval": {"limit": 3},
        "output_dir": str(tmp_path / "align"),
    }
    pipeline = Pipeline(validate_spec(spec, check_files=False))
    assert set(pipeline.backbone.texts.descriptions) == set(CLEAR[:3])
    history = Trainer(pipeline, show_progress=False).fit()
    assert history[0]["steps"] == 2
    predictions = pipeline.predict(show_progress=False)
    assert len(predictions) == 3 and all(p.parsed in CLEAR[:3] for p in predictions)
    untrained = {**spec, "backbone": {"name": "describe_match"}, "stages": []}
    untrained["eval"] = {"limit": 3, "question": "multiple_choice"}
    untrained["output_dir"] = str(tmp_path / "match")
    predictions = Pipeline(validate_spec(untrained, check_files=False)).predict(show_progress=False)
    assert len(predictions) == 3 and all(p.parsed in CLEAR[:3] for p in predictions)
