"""The file teacher: per-clip records by sample id, with errors that name the line or the ids."""

from __future__ import annotations

import json

import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.registry import get_registry
from skeletonllm.tasks import ClipContext
from skeletonllm_training.file_teacher import FileTeacher, FileTeacherOptions

NAMES = ["wave", "kick"]


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "rationales.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _clip(sample_id: str) -> ClipContext:
    return ClipContext(sample_id, 0, NAMES, [0, 1])


def test_each_clip_gets_its_own_record_without_the_label_line(tmp_path):
    path = _write(
        tmp_path,
        [
            json.dumps({"id": "a", "rationale": "Step 1: the right arm rises.\nLabel: wave"}),
            "",
            json.dumps({"id": "b", "rationale": "Step 1: the left arm rises.", "rationale_unlabelled": "Step 1: arm."}),
        ],
    )
    teacher = get_registry().create("teacher", "file", {"path": str(path)})
    assert teacher.rationale(_clip("a")) == "Step 1: the right arm rises."
    assert teacher.rationale(_clip("b")) == "Step 1: the left arm rises."
    assert teacher.rationale(_clip("b"), know_label=False) == "Step 1: arm."
    with pytest.raises(SkeletonLLMError, match="rationale_unlabelled"):
        teacher.rationale(_clip("a"), know_label=False)


def test_missing_ids_are_named_with_their_count(tmp_path):
    teacher = FileTeacher(FileTeacherOptions(path=str(_write(tmp_path, [json.dumps({"id": "a", "rationale": "x"})]))))
    ids = ["a"] + [f"clip_{i}" for i in range(8)]
    with pytest.raises(SkeletonLLMError, match=r"no rationale for 8 clip\(s\): 'clip_0'.*'clip_4' and 3 more"):
        teacher.require(ids)
    with pytest.raises(SkeletonLLMError, match="'zzz'"):
        teacher.rationale(_clip("zzz"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "rationale": ', r":2: not a JSON object"),
        ('["a", "b"]', r":2: expected a JSON object, got list"),
        ('{"id": "", "rationale": "x"}', r":2: field 'id'"),
        ('{"id": "b", "rationale": 3}', r":2: field 'rationale' must be a non-empty string \(id 'b'\)"),
        ('{"id": "a", "rationale": "again"}', r":2: id 'a' appears a second time"),
    ],
)
def test_bad_lines_are_reported_with_their_line_number(tmp_path, line, message):
    path = _write(tmp_path, [json.dumps({"id": "a", "rationale": "ok"}), line])
    with pytest.raises(SkeletonLLMError, match=message):
        FileTeacher(FileTeacherOptions(path=str(path)))


def test_an_absent_file_is_a_clear_error(tmp_path):
    with pytest.raises(SkeletonLLMError, match="nope.jsonl: no such file"):
        FileTeacher(FileTeacherOptions(path=str(tmp_path / "nope.jsonl")))
