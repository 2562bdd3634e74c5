"""The text-motion evaluator: features, retrieval scores by hand, files, and that training learns."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from skeletonllm.checkpoint import manifest_sha256
from skeletonllm.errors import CheckpointError, SkeletonDataError, SkeletonLLMError
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.topology import Topology
from skeletonllm_datasets.synthetic import TOPOLOGIES, generate
from skeletonllm_training.text_motion.features import CHANNELS, FRAMES, motion_features
from skeletonllm_training.text_motion.model import EvaluatorConfig, TextMotionEvaluator
from skeletonllm_training.text_motion.retrieval import retrieval_scores
from skeletonllm_training.text_motion.train import CaptionedClips, TrainSettings, train_evaluator


def _random_rotation(seed: int) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    return q if np.linalg.det(q) > 0 else -q


def test_features_ignore_units_up_axis_facing_and_position():
    seq = generate("pushing other person", "kinect_v2", 5)
    moved = SkeletonSequence(
        seq.positions @ _random_rotation(1).T.astype(np.float32) * 100.0 + 7.0, seq.topology, fps=seq.fps, mask=seq.mask
    )
    np.testing.assert_allclose(motion_features(moved), motion_features(seq), atol=1e-4)


def test_features_tell_left_from_right_and_work_in_every_topology():
    waves = {}
    for seed in range(8):
        seq = generate("hand waving", "smpl22", seed)
        waves.setdefault(bool(seq.meta["synth"]["mirrored"]), motion_features(seq))
    left, right = waves[True], waves[False]
    assert np.abs(left - right).max() > 0.3
    for topology in TOPOLOGIES:
        feats = motion_features(generate("clapping", topology, 3))
        assert feats.shape == (FRAMES, CHANNELS) and np.isfinite(feats).all()


def test_a_topology_without_body_parts_is_a_clear_error():
    topo = Topology("stick3", ("a", "b", "c"), ((0, 1), (1, 2)))
    seq = SkeletonSequence(np.zeros((1, 4, 3, 3), np.float32), topo)
    with pytest.raises(SkeletonDataError, match="names no joints for body parts"):
        motion_features(seq)


def test_retrieval_scores_by_hand():
    motion = torch.eye(32, dtype=torch.float64)
    assert retrieval_scores(motion, motion) == {
        "r1": 1.0, "r3": 1.0, "mm_dist": 0.0, "batches": 1.0, "batch_size": 32.0
    }  # fmt: skip
    # text_i = 0.6 e_i + 0.8 e_(i+1): motion i is at sqrt(0.16 + 0.64) from its own caption, but nearer
    # (sqrt(0.36 + 0.04)) to caption i-1, and sqrt(2) from all others: the true caption is always 2nd.
    text = 0.6 * motion + 0.8 * motion.roll(-1, dims=0)
    scores = retrieval_scores(motion, text)
    assert scores["r1"] == 0.0 and scores["r3"] == 1.0
    assert scores["mm_dist"] == pytest.approx(np.sqrt(0.8))
    # one caption for every clip (a model that always says the same thing): all 32 tie -> chance
    same = retrieval_scores(motion, torch.ones(32, 32, dtype=torch.float64) / np.sqrt(32))
    assert same["r1"] == pytest.approx(1 / 32) and same["r3"] == pytest.approx(3 / 32)
    # captions of clips 2j and 2j+1 are both e_2j: an even clip ties with its neighbour's caption at
    # distance 0 (1st or 2nd: R@1 1/2); an odd clip is sqrt(2) from every caption (32-way tie: 1/32)
    paired = motion[::2].repeat_interleave(2, dim=0)
    assert retrieval_scores(motion, paired)["r1"] == pytest.approx((1 / 2 + 1 / 32) / 2)
    # 70 pairs: two batches of 32 are scored, the last 6 pairs are dropped
    assert retrieval_scores(torch.eye(70), torch.eye(70))["batches"] == 2.0
    with pytest.raises(SkeletonLLMError, match="batches of 32"):
        retrieval_scores(torch.eye(10), torch.eye(10))


def test_save_and_load_give_the_same_embeddings_and_bad_folders_are_refused(tmp_path):
    torch.manual_seed(0)
    model = TextMotionEvaluator(EvaluatorConfig(hidden=32, dim=16)).eval()
    feats = np.stack([motion_features(generate(a, "kinect_v1", 1)) for a in ("salute", "jump up")])
    model.save(tmp_path / "ev", {"note": "x"})
    loaded = TextMotionEvaluator.load(tmp_path / "ev")
    with torch.no_grad():
        torch.testing.assert_close(loaded.encode_features(feats), model.encode_features(feats))
    assert loaded.info == {"note": "x"} and loaded.config == model.config
    manifest = tmp_path / "ev" / "manifest.json"
    data = json.loads(manifest.read_text())

    def edit(change: dict, rehash: bool) -> None:  # a careless edit, or a careful one that updates the hash
        edited = data | change
        if rehash:
            edited["_integrity"] = data["_integrity"] | {"manifest_sha256": manifest_sha256(edited)}
        manifest.write_text(json.dumps(edited))

    edit({"config": data["config"] | {"hidden": 64}}, rehash=False)
    with pytest.raises(CheckpointError, match="its configuration was edited"):
        TextMotionEvaluator.load(tmp_path / "ev")
    edit({"config": data["config"] | {"hidden": 64}}, rehash=True)
    with pytest.raises(CheckpointError, match="do not match the config"):
        TextMotionEvaluator.load(tmp_path / "ev")
    edit({"kind": "something else"}, rehash=True)
    with pytest.raises(CheckpointError, match="not a text-motion evaluator"):
        TextMotionEvaluator.load(tmp_path / "ev")


def test_training_lowers_the_contrastive_loss_and_is_seeded():
    actions = ("hand waving", "jump up", "sitting down", "clapping")
    feats, refs, ids = [], [], []
    for c, action in enumerate(actions):
        for i in range(8):
            feats.append(motion_features(generate(action, "kinect_v1", 100 * c + i, frames=40)))
            refs.append([f"a person does {action}", f"someone performs {action}"])
            ids.append(f"{c}-{i}")
    clips = CaptionedClips(ids, np.stack(feats), refs)
    runs = []
    for _ in range(2):
        settings = TrainSettings(epochs=12, batch_size=16, progress=False)
        model = train_evaluator(clips, settings, EvaluatorConfig(hidden=48, dim=32))
        runs.append((settings.history, model.encode_features(clips.features[:3]).detach()))
    history = runs[0][0]
    assert np.mean(history[-3:]) < 0.6 * np.mean(history[:2])
    assert runs[0][0] == runs[1][0]
    torch.testing.assert_close(runs[0][1], runs[1][1])


def test_identical_captions_score_chance_not_a_perfect_recall():
    """A constant caption carries no information: ties are broken in expectation, so R@k = k/32."""
    import torch

    from skeletonllm_training.text_motion.retrieval import retrieval_scores

    motion = torch.randn(64, 8, generator=torch.Generator().manual_seed(0))
    constant = torch.ones(64, 8)
    scores = retrieval_scores(motion, constant)
    assert scores["r1"] == pytest.approx(1 / 32) and scores["r3"] == pytest.approx(3 / 32)
    assert retrieval_scores(motion, motion.clone())["r1"] == 1.0  # distinct, matched embeddings: perfect


def test_metric_notes_quote_the_evaluators_own_accuracy_and_tolerate_a_sparse_manifest(tmp_path):
    from skeletonllm_training.text_motion.metric import TextMotionMetric

    model = TextMotionEvaluator(EvaluatorConfig(hidden=16, dim=8))
    model.save(tmp_path / "full", {"dataset": "synthetic", "train_split": "xsub/train", "test_split": "xsub/test",
                                   "held_out": {"r1": 0.5, "r3": 0.9, "clips": 64.0, "batch_size": 32.0}})  # fmt: skip
    model.save(tmp_path / "sparse", {"held_out": {"r1": 0.5, "r3": 0.9}})
    model.save(tmp_path / "none")
    full = TextMotionMetric(TextMotionMetric.Options(evaluator=str(tmp_path / "full"))).evaluator_notes()["r_at_1"]
    assert "trained on synthetic xsub/train" in full and "R@1 0.500" in full and "64 clips of xsub/test" in full
    sparse = TextMotionMetric(TextMotionMetric.Options(evaluator=str(tmp_path / "sparse"))).evaluator_notes()["r_at_1"]
    assert "None" not in sparse and "chance 0.031" in sparse
    empty = TextMotionMetric(TextMotionMetric.Options(evaluator=str(tmp_path / "none"))).evaluator_notes()["r_at_1"]
    assert "no held-out accuracy" in empty


def test_features_of_the_real_humanml3d_sample_are_finite_and_upright():
    from conftest import shared_file
    from skeletonllm_formats.humanml3d import HumanMl3dFormat

    seq = HumanMl3dFormat().read(shared_file("humanml3d/new_joints/012314.npy"))[0]
    feats = motion_features(seq)
    assert feats.shape == (FRAMES, CHANNELS) and np.isfinite(feats).all()
    # body frame: the head sits above the torso (up is the 2nd axis; head centroid is the first part)
    assert feats[:, 1].mean() > 0.1
    # Y-up file seen as Z-up (another up axis): the same features
    swapped = SkeletonSequence(seq.positions[..., [0, 2, 1]] * np.array([1, 1, -1], np.float32), seq.topology,
                               fps=seq.fps, mask=seq.mask)  # fmt: skip
    np.testing.assert_allclose(motion_features(swapped), feats, atol=1e-4)
