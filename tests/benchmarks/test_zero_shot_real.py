"""benchmarks/zero_shot_real.py: the tables from toy records, and a toy run end to end (SynthAct, no real data)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import zero_shot_real_plan as plan  # noqa: E402
import zero_shot_real_table as table  # noqa: E402

ROWS = {"p1": plan.Row("p1", 1, "nw_ucla", "8/2"), "p2": plan.Row("p2", 2, "msr_action3d")}


def record(row, method, seed, zsl, gzsl, **extra):
    return {"row": row, "method": method, "seed": seed, "zsl": zsl, "gzsl": gzsl, "train_s": 60.0, "eval_s": 60.0,
            **extra}  # fmt: skip


def test_cells_are_means_with_t_intervals_over_seeds():
    assert table.cell([0.5, 0.6, 0.7]) == "60.0 +- 24.8"  # sd 0.1, t(0.975, 2) = 4.303, / sqrt(3)
    assert table.cell([0.25]) == "25.0"
    assert table.cell([0.0], clips=97) == "0.0 [0.0, 3.8]"  # one seed: Wilson over clips, 1 - 0.05^(1/97) ~ 3.8 %
    assert table.cell([None, float("nan")]) == "-"


def test_accuracy_tables_give_each_protocol_its_columns_and_a_chance_line():
    confusion = {"labels": ["a", "b"], "columns": ["a", "b", "(no label)"], "matrix": [[2, 0, 0], [1, 1, 0]]}
    records = [
        record("p1", "m", s, {"accuracy": a, "chance": 0.5}, {"accuracy": 0.3, "seen": 0.4, "unseen": u,
               "harmonic": 0.2, "chance": 0.1}, confusion=confusion, spread={"clips": 0.1, "candidates": 0.4})
        for s, a, u in ((0, 0.5, 0.1), (1, 0.6, 0.2), (2, 0.7, 0.3))
    ] + [record("p2", "m", 0, None, {"accuracy": 0.25, "unseen": 0.25, "chance": 0.2}, confusion=confusion)]  # fmt: skip
    one = table.accuracy_table(records, ROWS, ["m", "absent"], 1)
    assert (
        "| nw_ucla 8/2 | m | 3 | 60.0 +- 24.8 | 40.0 +- 0.0 | 20.0 +- 24.8 | 20.0 +- 0.0 | 50.0 / 10.0 | 2.0 |" in one
    )
    assert "| nw_ucla 8/2 | **chance** | | 50.0 | 10.0 | 10.0 | 10.0 | | |" in one
    assert "absent" not in one and "msr_action3d" not in one
    two = table.accuracy_table(records, ROWS, ["m"], 2)
    assert "| all others + SynthAct -> msr_action3d | m | 1 | 25.0 | - | 25.0 | - | 20.0 | 2.0 |" in two
    spread = table.spread_table(records, ROWS, ["m"])
    assert "| nw_ucla 8/2 | m | 3 | 0.1000 | 0.4000 | 0.250 |" in spread
    block = table.confusion_block(records, ROWS, ["m"])
    assert "| a | 6 | 0 | 0 |" in block and "| b | 3 | 3 | 0 |" in block  # summed over the three seeds
    missing = table.not_run(records, {**ROWS, "p3": plan.Row("p3", 1, "sbu", "6/2")}, ["m", "x"], {"x": "needs y"})
    assert "- nw_ucla 8/2: x: needs y" in missing
    assert f"- sbu 6/2: m: {table.BUDGET}; x: needs y" in missing


def test_the_top_scored_readout_all_classes_and_unseen_among_unseen():
    import zero_shot_real as bench

    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.1, 0.2, 0.7]])
    # columns are classes 4, 5, 6; clips of classes 4, 5, 6, 6; unseen classes 5 and 6
    got = bench.ranked(scores, [4, 5, 6, 6], [4, 5, 6], [5, 6])
    assert got["all"] == 0.75 and got["clips"] == 4  # clip 2 (class 6) scores class 4 highest
    assert got["zsl"] == 1.0 and got["zsl_clips"] == 3 and got["zsl_chance"] == 0.5  # among 5, 6 only: all right
    assert "zsl" not in bench.ranked(scores, [4, 5, 6, 6], [4, 5, 6], [])


def test_spread_of_a_score_matrix():
    got = table.spread(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert got == {"clips": 1.0, "candidates": 0.5}
    assert np.isnan(table.spread(np.array([[1.0, 2.0]]))["clips"])


@pytest.mark.slow
def test_a_toy_run_end_to_end_and_resumed(tmp_path, monkeypatch):
    """SynthAct stands in for a real dataset: a 2-step method, its tables written, a second call resumes."""
    import zero_shot_real as bench

    monkeypatch.setitem(plan.DATASETS, "toy", ({"name": "synthetic", "topology": "kinect_v1", "samples_per_class": 4},
                                               None, "xsub/train", "xsub/test"))  # fmt: skip
    monkeypatch.setitem(bench.ROWS, "toy_16_5", plan.Row("toy_16_5", 1, "toy", "16/5"))
    tiny = plan.Method("tiny_align", "2 steps", {"name": "skeleton_align", "steps": 8, "hidden": 16},
                       stages=[{"name": "refine", "max_steps": 2, "num_choices": None, "train": ["vision", "projector"]}],
                       optim={"batch_size": 8, "save_every": 100})  # fmt: skip
    monkeypatch.setitem(bench.METHODS, "tiny_align", tiny)
    out = tmp_path / "zs.json"
    argv = ["--rows", "toy_16_5", "--methods", "tiny_align", "--seeds", "0",
            "--score-clips", "8", "--runs", str(tmp_path / "runs"), "--out", str(out)]  # fmt: skip
    assert bench.main(argv) == 0
    records = json.loads(out.read_text())["records"]
    assert sorted((r["method"], r["seed"]) for r in records) == [("tiny_align", 0)]
    for r in records:
        assert r["zsl"]["chance"] == pytest.approx(1 / 5) and r["gzsl"]["chance"] == pytest.approx(1 / 21)
        assert {"seen", "unseen", "harmonic"} <= set(r["gzsl"]) and r["spread"]["candidates"] >= 0
        assert sum(map(sum, r["confusion"]["matrix"])) == r["zsl"]["clips"]
        assert (Path(r["reports"]) / "eval_zsl" / "report.md").is_file()
    text = out.with_suffix(".md").read_text()
    assert "| toy 16/5 | tiny_align | 1 |" in text
    not_run = next(line for line in text.splitlines() if line.startswith("- toy 16/5:"))
    assert "describe_match" in not_run and table.BUDGET in not_run and "tiny_align" not in not_run
    assert "**chance**" in text and "87.37" in text
    bench.main(argv)  # resumes: nothing left to run, the records stay as they were
    assert json.loads(out.read_text())["records"] == records
