"""SynthAct's per-clip descriptions state facts of the drawn performance, and agree with the motion."""

from __future__ import annotations

import numpy as np
import pytest

from skeletonllm_datasets.humanml3d import HumanMl3dDataset
from skeletonllm_datasets.synthetic import ACTIONS, generate
from skeletonllm_datasets.synthetic.actions import BY_NAME
from skeletonllm_datasets.synthetic.dataset import SynthActDataset
from skeletonllm_datasets.synthetic.describe import clip_facts, describe


def _samples(**options):
    return list(SynthActDataset(SynthActDataset.Options(**options)).all_samples())


def test_facts_replay_the_generators_draws_for_every_action():
    for action in ACTIONS:
        for seed, subject in ((0, None), (7, 3), (123_456, None), (99, 12)):
            facts = clip_facts(action, seed, subject=subject)
            synth = generate(action, "kinect_v1", seed, frames=8, subject=subject).meta["synth"]
            assert facts.speed == pytest.approx(synth["speed"], abs=1e-4)
            assert facts.amplitude == pytest.approx(synth["amplitude"], abs=1e-4)
            assert facts.repetitions == synth["repetitions"], action
            if BY_NAME[action].one_sided:
                assert facts.side == ("left" if synth["mirrored"] else "right")
            else:
                assert facts.side is None


def test_the_side_in_the_description_is_the_side_whose_hand_waves():
    # smpl22 is noise-free with Y up: the waving hand is the one raised above the head.
    for seed in range(6):
        seq = generate("hand waving", "smpl22", seed)
        topo = seq.topology
        left = seq.positions[0, :, topo.index("left_wrist"), 1].max()
        right = seq.positions[0, :, topo.index("right_wrist"), 1].max()
        side = clip_facts("hand waving", seed).side
        assert side == ("left" if left > right else "right")
        assert f"the {side} hand" in describe(clip_facts("hand waving", seed), seed)[0].lower() or (
            f"the {side} arm" in describe(clip_facts("hand waving", seed), seed)[0].lower()
        )


def test_sample_text_varies_with_the_clip_and_states_its_facts():
    samples = [s for s in _samples(samples_per_class=30, actions=["hand waving", "clapping"])]
    waving = [s for s in samples if s.meta["action"] == "hand waving"]
    assert len({s.text for s in waving}) >= 20  # not one caption per class
    assert {s.meta["facts"]["side"] for s in waving} == {"left", "right"}
    assert {s.meta["facts"]["speed_bucket"] for s in samples} == {"slow", "normal", "fast"}
    assert {s.meta["facts"]["amplitude_bucket"] for s in samples} == {"small", "normal", "large"}
    assert len({s.meta["facts"]["repetitions"] for s in samples}) >= 3
    numbers = {1: "once", 2: "twice", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
    for s in samples:
        facts, refs = s.meta["facts"], s.meta["references"]
        assert s.text == refs[0] and len(refs) == 3 and len(set(refs)) == 3
        for ref in refs:
            assert numbers[facts["repetitions"]] in ref
            if facts["side"]:
                assert facts["side"] in ref
        speed_words = {"quickly", "rapidly", "swiftly", "slowly", "gently", "unhurriedly"}
        said = speed_words & set(" ".join(refs).lower().replace(".", "").replace(",", "").split())
        assert bool(said) == (facts["speed_bucket"] != "normal"), refs


def test_descriptions_are_deterministic_and_leave_labels_and_ids_alone():
    a, b = _samples(samples_per_class=3), _samples(samples_per_class=3)
    assert [(s.id, s.label, s.text, s.meta["references"]) for s in a] == [
        (s.id, s.label, s.text, s.meta["references"]) for s in b
    ]
    assert [s.label for s in a] == [c for c in range(len(ACTIONS)) for _ in range(3)]
    clean = _samples(samples_per_class=1, randomize=False)
    assert all(s.meta["facts"]["speed_bucket"] == "normal" for s in clean)
    assert all(s.meta["facts"]["side"] in (None, "right") for s in clean)


def test_description_does_not_change_the_motion():
    sample = _samples(samples_per_class=2, actions=["salute", "kicking something"])[3]
    expected = generate("kicking something", "kinect_v2", sample.meta["seed"], subject=sample.meta["subject"])
    np.testing.assert_array_equal(sample.load().positions, expected.positions)


def test_humanml3d_samples_carry_every_caption_without_pos_tokens(tmp_path):
    (tmp_path / "new_joints").mkdir()
    (tmp_path / "texts").mkdir()
    np.save(tmp_path / "new_joints" / "000001.npy", np.zeros((4, 22, 3), np.float32))
    (tmp_path / "texts" / "000001.txt").write_text(
        "a man walks forward.#a/DET man/NOUN walk/VERB forward/ADV#0.0#0.0\n"
        "\n"
        "someone strolls ahead#someone/PRON stroll/VERB ahead/ADV#0.0#0.0\n",
        encoding="utf-8",
    )
    (tmp_path / "train.txt").write_text("000001\n", encoding="utf-8")
    (sample,) = HumanMl3dDataset(HumanMl3dDataset.Options(root=tmp_path)).samples("default/train")
    assert sample.text == "a man walks forward."
    assert sample.meta["references"] == ["a man walks forward.", "someone strolls ahead"]


def test_humanml3d_export_writes_the_per_clip_descriptions_as_further_captions(tmp_path):
    from click.testing import CliRunner

    from skeletonllm.cli import cli

    result = CliRunner().invoke(cli, ["synth", "--format", "humanml3d", "--n", "6", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    ds = HumanMl3dDataset(HumanMl3dDataset.Options(root=tmp_path))
    exported = {s.id: s for part in ("train", "test") for s in ds.samples(f"default/{part}")}
    bench = {
        (s.meta["action"], s.meta["seed"]): s
        for s in SynthActDataset(SynthActDataset.Options(samples_per_class=1)).all_samples()
    }
    rows = (tmp_path / "labels.csv").read_text().splitlines()[1:]
    assert len(rows) == 6
    for row in rows:
        file, action, _, _, _, seed, _ = row.split(",")
        sample = exported[file.rsplit("/", 1)[-1].removesuffix(".npy")]
        assert sample.meta["references"][0] == f"a person performs {action}."
        assert sample.meta["references"][1:] == bench[(action, int(seed))].meta["references"]
