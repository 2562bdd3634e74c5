"""Checkpoints are atomic: a crash mid-write leaves the previous checkpoint readable."""

from __future__ import annotations

import json

import pytest
import torch

import skeletonllm.checkpoint as ckpt
from skeletonllm.errors import CheckpointError


def test_round_trip_keeps_tensors_and_manifest(tmp_path):
    tensors = {"renderer.w": torch.arange(6.0).reshape(2, 3), "lora.a": torch.ones(4)}
    ckpt.save_checkpoint(tmp_path / "step1", tensors, {"step": 1, "backbone": "toy"})
    loaded, manifest = ckpt.load_checkpoint(tmp_path / "step1")
    assert manifest == {"step": 1, "backbone": "toy"}
    assert torch.equal(loaded["renderer.w"], tensors["renderer.w"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step1"]  # no temporary left behind


def test_overwrite_replaces_the_old_checkpoint(tmp_path):
    ckpt.save_checkpoint(tmp_path / "last", {"x": torch.zeros(1)}, {"step": 1})
    ckpt.save_checkpoint(tmp_path / "last", {"x": torch.ones(1)}, {"step": 2})
    loaded, manifest = ckpt.load_checkpoint(tmp_path / "last")
    assert manifest["step"] == 2 and loaded["x"].item() == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]


def test_a_crash_while_writing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    ckpt.save_checkpoint(tmp_path / "last", {"x": torch.zeros(1)}, {"step": 1})

    def dying_json_dump(*args, **kwargs):
        raise KeyboardInterrupt  # the process is killed half-way through

    monkeypatch.setattr(json, "dump", dying_json_dump)
    with pytest.raises(KeyboardInterrupt):
        ckpt.save_checkpoint(tmp_path / "last", {"x": torch.ones(1)}, {"step": 2})
    monkeypatch.undo()
    loaded, manifest = ckpt.load_checkpoint(tmp_path / "last")
    assert manifest["step"] == 1 and loaded["x"].item() == 0.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]


def test_a_crash_between_the_renames_falls_back_to_the_old_copy(tmp_path):
    ckpt.save_checkpoint(tmp_path / "last", {"x": torch.zeros(1)}, {"step": 1})
    (tmp_path / "last").rename(tmp_path / ".last.old")  # state right after the first rename
    _, manifest = ckpt.load_checkpoint(tmp_path / "last")
    assert manifest["step"] == 1


def test_missing_and_corrupt_checkpoints_are_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint here"):
        ckpt.load_checkpoint(tmp_path / "nothing")
    ckpt.save_checkpoint(tmp_path / "c", {"x": torch.zeros(1)}, {"step": 1})
    (tmp_path / "c" / ckpt.TENSORS).write_bytes(b"\x00garbage")
    with pytest.raises(CheckpointError, match="corrupt checkpoint"):
        ckpt.load_checkpoint(tmp_path / "c")
