"""Issue 23, the ``file`` teacher and the text-motion evaluator: bad files and diverged models are clear errors.

Before: a FIFO as the teacher file blocked ``train`` forever and ``/dev/zero`` read until memory ran
out; a teacher covering only some training clips, or a line with ``id`` twice, trained anyway; a
non-UTF-8 line was a one-line internal error. The evaluator trained with ``--lr inf`` reported R@1
1.000 with MM-Dist nan (NaN distances counted as hits), ``--lr 0`` was accepted, and an evaluator
whose manifest said ``frames: 0`` was used.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from skeletonllm.errors import CheckpointError, SkeletonLLMError
from skeletonllm_training.file_teacher import FileTeacher, FileTeacherOptions
from skeletonllm_training.text_motion.model import TextMotionEvaluator
from skeletonllm_training.text_motion.retrieval import retrieval_scores


def teacher(path: Path) -> FileTeacher:
    return FileTeacher(FileTeacherOptions(path=str(path)))


def test_fifo_teacher_file_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "rationales.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(SkeletonLLMError, match="rationales.jsonl: is a named pipe"):
        teacher(fifo)  # before the fix: blocked forever


def test_dev_zero_teacher_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SkeletonLLMError, match="/dev/zero: is a character device"):
        teacher(Path("/dev/zero"))


def test_a_record_with_id_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a", "rationale": "x"}\n{"id": "b", "id": "c", "rationale": "y"}\n', encoding="utf-8")
    with pytest.raises(SkeletonLLMError, match=r"r\.jsonl:2: field 'id' appears twice in one record"):
        teacher(path)


def test_non_utf8_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"id": "a", "rationale": "x"}\n{"id": "b", "rationale": "caf\xe9"}\n')
    with pytest.raises(SkeletonLLMError, match=r"r\.jsonl:2: byte 30 of the line is not UTF-8"):
        teacher(path)


def test_a_teacher_missing_some_training_clips_fails_before_the_first_step(tmp_path: Path) -> None:
    from toy_components import toy_registry
    from toy_specs import toy_spec_data

    from skeletonllm.pipeline import Pipeline
    from skeletonllm.spec import validate_spec
    from skeletonllm.training import Trainer

    path = tmp_path / "r.jsonl"
    path.write_text(
        "".join(json.dumps({"id": f"train-{c}-{i}", "rationale": "moves"}) + "\n" for c in (0, 1) for i in range(12)),
        encoding="utf-8",
    )  # class 2's twelve clips have no rationale
    data = toy_spec_data(tmp_path / "run", stages=[{"name": "cr_distill", "max_steps": 3, "num_choices": 2}])
    data["teacher"] = {"name": "file", "path": str(path)}
    with pytest.raises(SkeletonLLMError, match=r"no rationale for 12 clip\(s\): 'train-2-0'"):
        Trainer(Pipeline(validate_spec(data, toy_registry())), show_progress=False)
    assert not (tmp_path / "run").exists()


# -- the text-motion evaluator --------------------------------------------------------------------


@pytest.mark.parametrize("lr", ["inf", "1e30", "0", "-1", "nan"])
def test_evaluator_learning_rate_must_be_finite_and_positive(tmp_path: Path, lr: str) -> None:
    from skeletonllm.cli import cli

    args = ["text-motion-evaluator", "train", "--data", "synthetic", "--lr", lr, "-o", str(tmp_path / "ev")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "is not a learning rate in (0, 1]" in result.output, result.output


def test_nan_embeddings_do_not_count_as_hits() -> None:
    motion = torch.full((32, 4), float("nan"))
    text = torch.randn(32, 4)
    with pytest.raises(SkeletonLLMError, match="motion embeddings hold NaN"):
        retrieval_scores(motion, text)  # before the fix: R@1 1.000, MM-Dist nan


def test_evaluator_with_an_edited_frame_count_is_refused(tmp_path: Path) -> None:
    from skeletonllm.checkpoint import INTEGRITY, manifest_sha256

    TextMotionEvaluator().save(tmp_path / "ev")
    manifest_path = tmp_path / "ev" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["config"]["frames"] = 0  # weights and their hash unchanged
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CheckpointError, match="its configuration was edited"):
        TextMotionEvaluator.load(tmp_path / "ev")
    manifest[INTEGRITY]["manifest_sha256"] = manifest_sha256(manifest)  # a careful editor
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CheckpointError, match=r"whole numbers >= 1: frames: 0"):
        TextMotionEvaluator.load(tmp_path / "ev")
