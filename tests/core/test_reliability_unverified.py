"""Issue 23, checkpoints: an unverifiable, edited or diverged checkpoint is refused; files that would hang are refused.

A checkpoint whose integrity record is deleted (or null) used to be accepted,
so weights x1000, renderer tensors x3 or another run's tensors were used
without a word; renderer options edited in the manifest were rebuilt by
``render --checkpoint``; int64 and bool tensors with a recomputed hash were
cast into float weights; a FIFO as ``model.safetensors`` blocked forever.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file
from test_reliability_checkpoint import fresh, rewrite, spec_data, toy_cli, trained, write_spec  # noqa: F401
from toy_components import toy_registry

import skeletonllm.checkpoint as ckpt
from skeletonllm.errors import CheckpointError, SkeletonLLMError
from skeletonllm.pipeline import Pipeline
from skeletonllm.rendering import build_renderer
from skeletonllm.spec import validate_spec
from skeletonllm.training import Trainer, load_trained


def manifest_of(last: Path) -> dict:
    return json.loads((last / ckpt.MANIFEST).read_text())


def drop_integrity(last: Path, null: bool = False) -> None:
    manifest = manifest_of(last)
    if null:
        manifest[ckpt.INTEGRITY] = None
    else:
        del manifest[ckpt.INTEGRITY]
    (last / ckpt.MANIFEST).write_text(json.dumps(manifest))


def scale_tensors(last: Path, prefix: str, factor: float) -> None:
    tensors = load_file(str(last / ckpt.TENSORS))
    save_file({k: v * factor if k.startswith(prefix) else v for k, v in tensors.items()}, str(last / ckpt.TENSORS))


@pytest.mark.parametrize("null", [False, True])
def test_weights_times_1000_without_an_integrity_record_are_refused(tmp_path: Path, null: bool) -> None:
    _, last = trained(tmp_path)
    scale_tensors(last, "backbone.", 1000.0)
    drop_integrity(last, null)
    with pytest.raises(CheckpointError, match="no integrity record .* cannot be verified .*--allow-unverified"):
        load_trained(fresh(tmp_path), last)
    load_trained(fresh(tmp_path), last, allow_unverified=True)  # on purpose: allowed, with a warning


def test_another_runs_tensors_without_an_integrity_record_are_refused(tmp_path: Path) -> None:
    _, last = trained(tmp_path / "a")
    _, other = trained(tmp_path / "b")
    (last / ckpt.TENSORS).write_bytes((other / ckpt.TENSORS).read_bytes())
    drop_integrity(last)
    with pytest.raises(CheckpointError, match="cannot be verified"):
        ckpt.load_checkpoint(last)


def test_renderer_tensors_times_3_are_refused_by_render(tmp_path: Path, toy_cli) -> None:  # noqa: F811
    _, last = trained(tmp_path)
    scale_tensors(last, "renderer.", 3.0)
    drop_integrity(last)
    clip = tmp_path / "x.toy"
    clip.write_text(json.dumps({"toy_xy": [1.0, 0.0]}))
    result = toy_cli("render", clip, "--checkpoint", last, "-o", tmp_path / "x.png")
    assert result.exit_code == 1 and "cannot be verified" in result.output and "--allow-unverified" in result.output
    assert not (tmp_path / "x.png").exists()
    result = toy_cli("render", clip, "--checkpoint", last, "-o", tmp_path / "x.png", "--allow-unverified")
    assert result.exit_code == 0 and "using it unverified" in result.output, result.output


def test_renderer_options_edited_in_the_manifest_are_refused(tmp_path: Path) -> None:
    _, last = trained(tmp_path)
    manifest = manifest_of(last)
    manifest["components"]["renderer"]["options"]["frames"] = 7  # hash of the tensors untouched
    (last / ckpt.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CheckpointError, match="its configuration was edited"):
        build_renderer(checkpoint=last, registry=toy_registry())


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_integer_or_bool_tensors_with_a_recomputed_hash_are_refused(tmp_path: Path, dtype: torch.dtype) -> None:
    _, last = trained(tmp_path)
    tensors = load_file(str(last / ckpt.TENSORS))
    key = next(k for k in tensors if k.startswith("backbone."))
    tensors[key] = torch.ones_like(tensors[key], dtype=dtype)
    rewrite(last, tensors)  # hash, manifest hash and shapes all recomputed
    with pytest.raises(CheckpointError, match=f"not floating point: {key}"):
        load_trained(fresh(tmp_path), last)


@pytest.mark.parametrize("name", [ckpt.TENSORS, ckpt.MANIFEST])
def test_fifo_in_a_checkpoint_is_refused_without_opening_it(tmp_path: Path, name: str) -> None:
    _, last = trained(tmp_path)
    (last / name).unlink()
    os.mkfifo(last / name)
    with pytest.raises(CheckpointError, match=f"{name}: is a named pipe"):
        ckpt.load_checkpoint(last)  # before the fix: blocked forever


def test_a_step_that_makes_the_weights_nan_is_not_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Diverging on a stage's last step used to save NaN weights and exit 0."""
    pipeline = Pipeline(validate_spec(spec_data(tmp_path / "run"), toy_registry()))
    real_step = torch.optim.AdamW.step
    calls = {"n": 0}

    def diverging(self, *args, **kwargs):  # noqa: ANN001, ANN202
        result = real_step(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 6:  # the refine stage's last step (2 warm-up steps + 4)
            for group in self.param_groups:
                for p in group["params"]:
                    p.data.fill_(float("nan"))
        return result

    monkeypatch.setattr(torch.optim.AdamW, "step", diverging)
    with pytest.raises(SkeletonLLMError, match=r"stage 'refine' step 3: the weights became NaN"):
        Trainer(pipeline, show_progress=False).fit()
    tensors, manifest = ckpt.load_checkpoint(tmp_path / "run" / "last")
    assert (manifest["stage"], manifest["step"]) == (1, 3) and all(torch.isfinite(t).all() for t in tensors.values())


def test_infer_and_evaluate_take_an_unverified_checkpoint_only_with_allow_unverified(tmp_path: Path, toy_cli) -> None:  # noqa: F811
    """The one checkpoint rule (``accept_checkpoint``) refuses it, and with the option warns once."""
    spec = write_spec(tmp_path)
    _, last = trained(tmp_path)
    drop_integrity(last)
    clip = tmp_path / "x.toy"
    clip.write_text(json.dumps({"toy_xy": [1.0, 0.0]}))
    for command in (["evaluate", spec], ["infer", spec, clip]):
        result = toy_cli(*command)
        assert result.exit_code == 1 and "cannot be verified" in result.output, result.output
        assert "--allow-unverified" in result.output and "Traceback" not in result.output
        result = toy_cli(*command, "--allow-unverified")
        assert result.exit_code == 0, result.output
        assert result.output.count("using it unverified (--allow-unverified)") == 1, result.output


def test_the_checkpoint_rule_lists_the_unverified_warning_among_its_notes(tmp_path: Path) -> None:
    from skeletonllm.checkpoint_checks import accept_checkpoint

    spec = write_spec(tmp_path)
    _, last = trained(tmp_path)
    drop_integrity(last, null=True)
    validated = validate_spec(spec_data(tmp_path / "run"), toy_registry())
    with pytest.raises(CheckpointError, match="cannot be verified"):
        accept_checkpoint(spec, validated.spec)
    accepted = accept_checkpoint(spec, validated.spec, allow_unverified=True)
    assert accepted.unverified and any("using it unverified" in n for n in accepted.notes)
    verified = accept_checkpoint(spec, validated.spec, checkpoint=trained(tmp_path / "ok")[1], allow_mismatch=True)
    assert not verified.unverified
