"""The evaluator trained by the command beats chance on held-out SynthAct captions; the metric uses it.

SynthAct's xsub split holds out every fourth performer: their bodies and
clips are never seen in training, and each clip's caption states its own
speed, side, amplitude and repetitions, so retrieval must read more than
the action class (about 1.5 clips per class in a batch of 32).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from skeletonllm.tasks import Prediction, TaskExample, TaskKind
from skeletonllm_training.text_motion.cli import text_motion_evaluator
from skeletonllm_training.text_motion.metric import TextMotionMetric

pytestmark = pytest.mark.slow

SAMPLES_PER_CLASS = 16  # 252 training clips (12 performers), 84 held-out clips (4 performers)
CHANCE_R1, CHANCE_R3 = 1 / 32, 3 / 32


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("evaluator") / "synthact"
    args = ["train", "--data", "synthetic", "--option", f"samples_per_class={SAMPLES_PER_CLASS}"]
    result = CliRunner().invoke(text_motion_evaluator, args + ["--epochs", "40", "--seed", "0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_the_command_saves_weights_and_reports_held_out_accuracy_well_above_chance(trained):
    out, output = trained
    assert "held-out R@1" in output and "chance 0.031" in output
    manifest = json.loads((out / "manifest.json").read_text())
    held_out = manifest["info"]["held_out"]
    first, last = manifest["info"]["loss_first_last"]
    assert last < 0.6 * first
    assert held_out["clips"] == 84 and held_out["batches"] == 2
    assert held_out["r1"] > 5 * CHANCE_R1  # measured 0.48 (seed 0)
    assert held_out["r3"] > 5 * CHANCE_R3  # measured 0.89 (seed 0)
    assert (out / "model.safetensors").is_file()


def test_the_metric_ranks_true_captions_above_shuffled_ones(trained):
    from skeletonllm.registry import get_registry

    out, _ = trained
    dataset = get_registry().create("dataset", "synthetic", {"samples_per_class": SAMPLES_PER_CLASS})
    samples = list(dataset.samples("xsub/test"))
    sequences = [s.load() for s in samples]

    def predictions(outputs):
        return [
            Prediction(
                TaskExample(TaskKind.CAPTION, references=tuple(s.meta["references"]), meta={"sequence": seq}),
                text,
                s.id,
            )
            for s, seq, text in zip(samples, sequences, outputs, strict=True)
        ]

    true_metric, shuffled_metric = (TextMotionMetric(TextMotionMetric.Options(evaluator=str(out))) for _ in range(2))
    true_metric.update(predictions([s.meta["references"][1] for s in samples]))  # a paraphrase, not the scored one
    shuffled = [s.meta["references"][1] for s in samples]
    shuffled = shuffled[7:] + shuffled[:7]
    shuffled_metric.update(predictions(shuffled))
    good_result, bad_result = true_metric.compute(), shuffled_metric.compute()
    good, bad = good_result.values, bad_result.values
    assert good_result.chance["r_at_1"] == pytest.approx(CHANCE_R1)
    assert "own held-out R@1" in good_result.notes["r_at_1"]
    assert good["r_at_1"] > 5 * CHANCE_R1 and good["r_at_3"] > 0.5
    assert bad["r_at_3"] < good["r_at_3"] - 0.3
    assert good["mm_dist"] < bad["mm_dist"]
    assert bad["r_at_1_references"] == good["r_at_1_references"]  # the reference row does not depend on outputs
    assert "own held-out R@1" in true_metric.evaluator_notes()["r_at_1"]
