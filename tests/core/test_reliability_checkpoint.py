"""Issue 13, checkpoints: a damaged, tampered, foreign or absent checkpoint is refused, never used silently."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
import torch
import yaml
from click.testing import CliRunner
from safetensors.torch import load_file, save_file
from toy_components import toy_registry

import skeletonllm.checkpoint as ckpt
import skeletonllm.registry as registry_module
from skeletonllm.checkpoint_checks import check_manifest
from skeletonllm.cli import cli
from skeletonllm.errors import CheckpointError, SkeletonLLMError
from skeletonllm.pipeline import Pipeline, pick_device
from skeletonllm.spec import validate_spec
from skeletonllm.training import Trainer, load_trained

SPEC = {
    "data": {"name": "toy_data", "per_class": 4},
    "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
    "backbone": "toy_backbone",
    "stages": [{"name": "warmup", "max_steps": 2, "num_choices": 2}, {"name": "refine", "max_steps": 4}],
    "optim": {"lr": 0.1, "batch_size": 4, "save_every": 1, "seed": 3},
    "split": {"class_split": "3/1"},
}


def spec_data(out: Path, **over) -> dict:
    return {**SPEC, "output_dir": str(out), **over}


def trained(tmp_path: Path) -> tuple[Pipeline, Path]:
    pipeline = Pipeline(validate_spec(spec_data(tmp_path / "run"), toy_registry()))
    Trainer(pipeline, show_progress=False).fit()
    return pipeline, tmp_path / "run" / "last"


def fresh(tmp_path: Path, **over) -> Pipeline:
    return Pipeline(validate_spec(spec_data(tmp_path / "run", **over), toy_registry()))


def rewrite(directory: Path, tensors: dict | None = None, **manifest_changes) -> None:
    """Edit a checkpoint *consistently* (hash and shapes updated), as a careful tamperer would."""
    tensors = load_file(str(directory / ckpt.TENSORS)) if tensors is None else tensors
    save_file(tensors, str(directory / ckpt.TENSORS))
    manifest = json.loads((directory / ckpt.MANIFEST).read_text())
    manifest.update(manifest_changes)
    for key, value in manifest_changes.items():
        if value is None:
            del manifest[key]
    manifest[ckpt.INTEGRITY] = {
        "sha256": ckpt.file_sha256(directory / ckpt.TENSORS),
        "manifest_sha256": ckpt.manifest_sha256(manifest),
        "shapes": {k: list(v.shape) for k, v in tensors.items()},
    }
    (directory / ckpt.MANIFEST).write_text(json.dumps(manifest))


# --- the files themselves -------------------------------------------------------------------------


def test_manifest_records_a_hash_and_load_returns_it_without(tmp_path: Path) -> None:
    ckpt.save_checkpoint(tmp_path / "c", {"a": torch.ones(3)}, {"step": 1})
    on_disk = json.loads((tmp_path / "c" / ckpt.MANIFEST).read_text())
    assert on_disk[ckpt.INTEGRITY]["sha256"] == ckpt.file_sha256(tmp_path / "c" / ckpt.TENSORS)
    assert ckpt.load_checkpoint(tmp_path / "c")[1] == {"step": 1}


def test_every_tensor_byte_overwritten_is_refused(tmp_path: Path) -> None:
    ckpt.save_checkpoint(tmp_path / "c", {"a": torch.ones(64), "b": torch.zeros(8)}, {"step": 1})
    path = tmp_path / "c" / ckpt.TENSORS
    raw = bytearray(path.read_bytes())
    header = 8 + int.from_bytes(raw[:8], "little")
    raw[header:] = b"\x7f" * (len(raw) - header)  # header intact, so safetensors itself is happy
    path.write_bytes(bytes(raw))
    assert set(load_file(str(path))) == {"a", "b"}
    with pytest.raises(CheckpointError, match="does not match the hash"):
        ckpt.load_checkpoint(tmp_path / "c")


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_tensor_is_refused(tmp_path: Path, bad: float) -> None:
    with pytest.raises(CheckpointError, match=r"NaN or infinite values: backbone\.lora_a; refusing to save"):
        ckpt.save_checkpoint(tmp_path / "c", {"backbone.lora_a": torch.tensor([1.0, bad])}, {"step": 1})
    assert not (tmp_path / "c").exists()
    ckpt.save_checkpoint(tmp_path / "c", {"backbone.lora_a": torch.tensor([1.0, 2.0])}, {"step": 1})
    rewrite(tmp_path / "c", {"backbone.lora_a": torch.tensor([1.0, bad])})  # hash updated to match
    with pytest.raises(CheckpointError, match=r"NaN or infinite values: backbone\.lora_a; refusing to use"):
        ckpt.load_checkpoint(tmp_path / "c")


def test_verify_against_names_missing_and_misshapen_tensors(tmp_path: Path) -> None:
    tensors = {"a": torch.zeros(2), "b": torch.zeros(3)}
    ckpt.verify_against(tensors, {"a": (2,)})
    with pytest.raises(CheckpointError, match=r"missing expected tensors c; wrong shapes b \(3,\) \(expected \(4,\)\)"):
        ckpt.verify_against(tensors, {"a": (2,), "b": (4,), "c": (1,)}, "ck")


def test_disk_full_while_saving_is_a_clear_error_and_keeps_the_previous(tmp_path: Path, monkeypatch) -> None:
    ckpt.save_checkpoint(tmp_path / "last", {"x": torch.zeros(1)}, {"step": 1})

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ckpt, "save_file", full)
    with pytest.raises(CheckpointError, match="No space left on device .the previous checkpoint is kept."):
        ckpt.save_checkpoint(tmp_path / "last", {"x": torch.ones(1)}, {"step": 2})
    monkeypatch.undo()
    assert ckpt.load_checkpoint(tmp_path / "last")[1]["step"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]


# --- against the experiment ---------------------------------------------------------------------


def test_deleted_lora_tensor_is_refused_on_load(tmp_path: Path) -> None:
    pipeline, last = trained(tmp_path)
    tensors = load_file(str(last / ckpt.TENSORS))
    victim = next(k for k in tensors if k.startswith("backbone."))
    del tensors[victim]
    rewrite(last, tensors)
    with pytest.raises(CheckpointError, match=f"missing expected tensors {victim}"):
        load_trained(fresh(tmp_path), last)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"stage": 99}, "stage 99 is beyond this spec's 2 stages"),
        ({"stage": None}, "has no 'stage'"),
        ({"stage": "1"}, "expected a whole number"),
        ({"stage": 1.5}, "expected a whole number"),
        ({"stage": -1}, "expected >= 0"),
        ({"step": -3}, "expected >= 0"),
        ({"step": None}, "has no 'step'"),
        ({"stage": 1, "step": 500, "stage_done": False}, "step 500 is beyond stage 1's schedule of 4 steps"),
        ({"stage_done": "yes"}, "expected true or false"),
    ],
)
def test_tampered_manifest_stops_resume(tmp_path: Path, change: dict, fragment: str) -> None:
    _, last = trained(tmp_path)
    rewrite(last, **change)
    with pytest.raises(CheckpointError, match=fragment):
        Trainer(fresh(tmp_path), show_progress=False).fit()


def test_tampered_manifest_stops_evaluation_too(tmp_path: Path) -> None:
    _, last = trained(tmp_path)
    rewrite(last, stage=7)
    with pytest.raises(CheckpointError, match="stage 7 is beyond"):
        load_trained(fresh(tmp_path), last)


def test_wrong_optimiser_state_shape_stops_resume(tmp_path: Path) -> None:
    _, last = trained(tmp_path)
    tensors = load_file(str(last / ckpt.TENSORS))
    key = next(k for k in tensors if k.endswith(".exp_avg"))
    tensors[key] = torch.zeros(tuple(tensors[key].shape) + (2,))
    rewrite(last, tensors, stage=1, step=2, stage_done=False)
    with pytest.raises(CheckpointError, match=f"optimiser tensor {key} has shape"):
        Trainer(fresh(tmp_path), show_progress=False).fit()


def test_check_manifest_accepts_a_real_one() -> None:
    check_manifest({"stage": 1, "step": 4, "stage_done": True}, 2, lambda i: 4)


# --- through the commands ---------------------------------------------------------------------------


@pytest.fixture()
def toy_cli(monkeypatch):
    monkeypatch.setattr(registry_module, "_REGISTRY", toy_registry())
    return lambda *args: CliRunner().invoke(cli, [str(a) for a in args])


def write_spec(tmp_path: Path, name: str = "spec.yaml", **over) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec_data(tmp_path / "run", **over)))
    return path


def test_evaluate_on_a_never_trained_spec_is_refused(tmp_path: Path, toy_cli) -> None:
    spec = write_spec(tmp_path)
    for command in (["evaluate", spec], ["infer", spec, tmp_path / "x.toy"]):
        result = toy_cli(*command)
        assert result.exit_code == 1 and "was never trained" in result.output and "--untrained" in result.output
        assert "Traceback" not in result.output
    result = toy_cli("evaluate", spec, "--untrained")
    assert result.exit_code == 0 and "using the untrained model" in result.output


def test_only_last_old_is_used_and_named(tmp_path: Path, toy_cli) -> None:
    spec = write_spec(tmp_path)
    assert toy_cli("train", spec).exit_code == 0
    run = tmp_path / "run"
    (run / "last").rename(run / ".last.old")  # a crash between the two renames
    result = toy_cli("evaluate", spec)
    assert result.exit_code == 0 and f"using {run / '.last.old'}" in result.output, result.output
    result = toy_cli("train", spec)
    assert result.exit_code == 0 and f"checkpoint: {run / '.last.old'}" in result.output, result.output


def test_checkpoint_of_another_spec_needs_an_explicit_flag(tmp_path: Path, toy_cli) -> None:
    assert toy_cli("train", write_spec(tmp_path)).exit_code == 0
    other = write_spec(tmp_path, "other.yaml", optim={**SPEC["optim"], "lr": 0.05})
    result = toy_cli("evaluate", other)
    assert (
        result.exit_code == 1
        and "written by another spec" in result.output
        and "--allow-spec-mismatch" in result.output
    )
    result = toy_cli("evaluate", other, "--allow-spec-mismatch")
    assert result.exit_code == 0 and "warning:" in result.output


@pytest.mark.parametrize("device", ["tpu", "banana", "cuda:7"])
def test_unknown_device_is_one_line(tmp_path: Path, toy_cli, device: str) -> None:
    if device == "cuda:7" and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    result = toy_cli("evaluate", write_spec(tmp_path), "--untrained", "--device", device)
    assert result.exit_code == 1 and f"--device {device!r}" in result.output and "available here: cpu" in result.output
    with pytest.raises(SkeletonLLMError):
        pick_device(device)
