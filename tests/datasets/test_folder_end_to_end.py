"""docs/datasets.md "Your own recordings", run as written on real files in two formats.

A tiny model is trained for a few steps on a folder of real NW-UCLA JSON and BVH files (so
the run mixes two topologies in its batches), then ``evaluate`` tests it on the folder
named as ``eval.data`` and ``infer --candidates`` asks it among names given on the command
line. The model is far too small and short-trained to be right: what is checked is that
the commands work as documented and report what they should.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from conftest import shared_data_dir
from skeletonllm.cli import cli

pytestmark = pytest.mark.slow  # trains a tiny Qwen2.5-VL: ~20 s on a busy 2-core machine

UCLA = {"a01": "pick up with one hand", "a04": "walk around", "a05": "sit down", "a06": "stand up", "a11": "throw"}
BVH = {
    "cmu_mocap_bvh/131_01.bvh": "walk around",
    "bandai_namco/dataset-2_walk-turn-right_exhausted_036.bvh": "walk around",
    "bandai_namco/dataset-2_run_normal_037.bvh": "run",
    "bandai_namco/dataset-2_wave-left-hand_active_011.bvh": "wave",
}


@pytest.fixture
def recordings(tmp_path):
    """``my_clips/`` with five NW-UCLA and four BVH files and ``labels.csv``, as a user would lay it out."""
    shared = shared_data_dir()
    needed = [shared / "nw_ucla/all_sqe" / f"{code}_s01_e00_v01.json" for code in UCLA] + [shared / p for p in BVH]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        pytest.skip(f"real sample files not found: {', '.join(missing[:3])}")
    folder = tmp_path / "my_clips"
    (folder / "kinect").mkdir(parents=True)
    (folder / "mocap").mkdir()
    rows = ["file,class,split"]
    for i, (code, name) in enumerate(UCLA.items()):
        shutil.copy(shared / "nw_ucla/all_sqe" / f"{code}_s01_e00_v01.json", folder / "kinect" / f"{code}.json")
        rows.append(f"kinect/{code}.json,{name},{'test' if i % 2 else 'train'}")
    for i, (path, name) in enumerate(BVH.items()):
        target = folder / "mocap" / path.rsplit("/", 1)[1]
        shutil.copy(shared / path, target)
        rows.append(f"mocap/{target.name},{name},{'train' if i % 2 else 'test'}")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_train_then_evaluate_and_infer_on_your_own_recordings(recordings, tmp_path):
    folder = {"name": "folder", "root": str(recordings), "index": "labels.csv"}
    spec = {
        "data": folder,
        "renderer": {"name": "draction", "frames": 4, "size": 56},
        "backbone": {"name": "qwen2_5_vl", "preset": "tiny", "frames": 4, "image_size": 56},
        "stages": [{"name": "refine", "max_steps": 3, "num_choices": 4, "train": ["projector", "lora", "llm"]}],
        "split": {"train": "default/train", "test": "default/test"},
        "optim": {"lr": 5.0e-4, "batch_size": 4, "save_every": 100},
        "eval": {"max_new_tokens": 12},
        "output_dir": str(tmp_path / "run"),
    }
    trained = tmp_path / "trained.yaml"
    trained.write_text(yaml.safe_dump(spec))
    runner = CliRunner()
    result = runner.invoke(cli, ["train", str(trained)])
    assert result.exit_code == 0, result.output
    assert "labels.csv: 9 clips (5 train, 4 test), split by the index's split column" in result.stderr

    # the walkthrough: the trained spec plus an eval section naming the folder, every clip tested
    mine = tmp_path / "on_my_clips.yaml"
    mine.write_text(yaml.safe_dump({**spec, "eval": {"data": folder, "split": "all/test", "max_new_tokens": 12}}))
    assert runner.invoke(cli, ["validate", str(mine)]).exit_code == 0
    result = runner.invoke(cli, ["evaluate", str(mine), "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output  # the checkpoint belongs to the spec: eval is not its identity
    metrics = json.loads(result.stdout)
    assert 0.0 <= metrics["accuracy"] <= 1.0
    report = (tmp_path / "report" / "report.md").read_text()
    assert "| test clips | `9` |" in report
    assert "test 'all/test' of 'folder'" in report and "| 9 | 0.143 |" in report  # 9 clips, chance 1/7
    assert "| run | " in report and "| wave | " in report  # per-class rows for the folder's own classes
    answers = (tmp_path / "report" / "predictions.jsonl").read_text().splitlines()
    assert {json.loads(line)["id"] for line in answers} >= {"kinect/a01.json", "mocap/131_01.bvh"}

    clips = [str(recordings / "kinect/a05.json"), str(recordings / "mocap/131_01.bvh")]
    result = runner.invoke(cli, ["infer", str(trained), *clips, "--candidates", "walk around, sit down,wave"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == clips
    result = runner.invoke(cli, ["infer", str(trained), *clips, "--candidates", "walk,,sit"])
    assert result.exit_code == 1 and "candidates: name 2 of 3 is empty" in result.stderr
