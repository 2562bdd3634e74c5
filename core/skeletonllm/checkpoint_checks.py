"""Is this checkpoint the one this spec's model should continue from or be evaluated with?

``checkpoint.load_checkpoint`` proves the files are intact (hash, shapes,
finite values). This module checks them against the *experiment*: the
manifest's ``stage``/``step`` fall inside the spec's stages and schedule (a
tampered ``stage: 99`` would otherwise skip all training and exit 0), every
tensor the model will read is there with its shape, the optimiser moments
fit their parameters, the checkpoint was written by this spec, and a run
that was never trained is not evaluated as if it had been.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .checkpoint import LAST, read_checkpoint, resolve_checkpoint, verify_against
from .errors import CheckpointError


def _int_field(manifest: dict, key: str, source: object) -> int:
    if key not in manifest:
        raise CheckpointError(f"{source}: the manifest has no {key!r} (not a training checkpoint, or edited)")
    value = manifest[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise CheckpointError(f"{source}: manifest {key!r} is {value!r}, expected a whole number")
    if value < 0:
        raise CheckpointError(f"{source}: manifest {key!r} is {value}, expected >= 0")
    return value


def check_manifest(
    manifest: Any, num_stages: int, steps_of: Callable[[int], int] | None = None, source: object = "checkpoint"
) -> None:
    """``stage`` and ``step`` are non-negative ints inside the spec's stages and (when known) schedule."""
    if not isinstance(manifest, dict):
        raise CheckpointError(f"{source}: the manifest is not a JSON object")
    stage = _int_field(manifest, "stage", source)
    step = _int_field(manifest, "step", source)
    done = manifest.get("stage_done", False)
    if not isinstance(done, bool):
        raise CheckpointError(f"{source}: manifest 'stage_done' is {done!r}, expected true or false")
    if stage >= num_stages:
        raise CheckpointError(
            f"{source}: manifest stage {stage} is beyond this spec's {num_stages} stages (0..{num_stages - 1})"
        )
    if steps_of is not None:
        total = steps_of(stage)
        if step > total:
            raise CheckpointError(f"{source}: manifest step {step} is beyond stage {stage}'s schedule of {total} steps")


def expected_tensors(pipeline: Any) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every tensor training saves for this pipeline (what restoring reads)."""
    groups = {g for stage in pipeline.stages for g in stage.groups}
    state: dict[str, torch.Tensor] = {}
    if "renderer" in groups and getattr(pipeline.renderer, "learnable", False):
        state.update(pipeline.renderer.trainable_state())
    state.update(pipeline.backbone.trainable_state(sorted(groups - {"renderer"})))
    return {k: tuple(v.shape) for k, v in state.items()}


def check_restorable(
    pipeline: Any,
    tensors: dict[str, torch.Tensor],
    manifest: Any,
    source: object,
    steps_of: Callable[[int], int] | None = None,
) -> None:
    """The manifest fits the spec and every tensor the model reads is present with its shape."""
    check_manifest(manifest, len(pipeline.stages), steps_of, source)
    verify_against(tensors, expected_tensors(pipeline), source)


def check_optimizer_state(tensors: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer, source: object) -> None:
    """Saved AdamW moments (``optim.<i>.<name>``) fit the parameters they will be loaded into."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for key, value in tensors.items():
        if not key.startswith("optim."):
            continue
        parts = key.split(".", 2)
        if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) >= len(params):
            raise CheckpointError(f"{source}: optimiser tensor {key} names no parameter of this stage")
        param = params[int(parts[1])]
        if parts[2] in ("exp_avg", "exp_avg_sq") and tuple(value.shape) != tuple(param.shape):
            raise CheckpointError(
                f"{source}: optimiser tensor {key} has shape {tuple(value.shape)}, "
                f"its parameter has {tuple(param.shape)}"
            )
        if parts[2] == "step" and value.numel() != 1:
            raise CheckpointError(f"{source}: optimiser tensor {key} should hold one step count")


def check_spec_match(manifest: dict, spec: Any, source: object, allow: bool = False) -> str | None:
    """Refuse a checkpoint written by another spec unless ``allow``; returns a warning when allowed.

    ``spec`` is the :class:`~skeletonllm.spec.PipelineSpec`; its output folder and its ``eval``
    section are not part of its identity, and a checkpoint hashed under an older rule still matches.
    """
    written_by = manifest.get("spec")
    if written_by in spec.digests():
        return None
    message = f"{source} was written by another spec (hash {written_by}, this spec is {spec.digest()})"
    if not allow:
        raise CheckpointError(f"{message}; pass --allow-spec-mismatch to use it anyway")
    return f"warning: {message}; using it because of --allow-spec-mismatch"


def find_trained(
    spec_path: object, output_dir: Path, checkpoint: str | Path | None, untrained: bool
) -> tuple[Path | None, str | None]:
    """The checkpoint folder to evaluate with (``output_dir/last`` or its ``.old`` copy), and a note.

    A spec that was never trained is refused unless ``untrained``: evaluating random weights
    and printing an accuracy, exit 0, looks like a result.
    """
    wanted = Path(checkpoint) if checkpoint else output_dir / LAST
    found = resolve_checkpoint(wanted)
    if found is None:
        if checkpoint:
            raise CheckpointError(f"{checkpoint}: no checkpoint here")
        if not untrained:
            raise CheckpointError(
                f"{spec_path} was never trained: no checkpoint in {wanted}; run 'skeletonllm train {spec_path}' "
                "first, pass --checkpoint, or pass --untrained to use the untrained model on purpose"
            )
        return None, "warning: using the untrained model (--untrained)"
    if found != wanted:
        return found, f"note: {wanted} is missing; using {found}, the copy a crash between two renames left"
    return found, None


@dataclass(frozen=True)
class AcceptedCheckpoint:
    """What :func:`accept_checkpoint` decided: the folder to load (None: the untrained model, on
    purpose), its manifest ({} when untrained) and the notes to show the user."""

    path: Path | None
    manifest: dict
    notes: tuple[str, ...] = ()
    #: accepted without an integrity record (``--allow-unverified``); loading it again must allow that too
    unverified: bool = False


def accept_checkpoint(
    spec_path: object,
    spec: Any,
    checkpoint: str | Path | None = None,
    untrained: bool = False,
    allow_mismatch: bool = False,
    allow_unverified: bool = False,
) -> AcceptedCheckpoint:
    """The one rule by which ``infer``, ``evaluate`` and the app take a spec's trained weights.

    ``checkpoint`` if given, else ``output_dir/last`` (or its ``.old`` copy); a spec that was
    never trained is refused unless ``untrained``, a checkpoint written by another spec unless
    ``allow_mismatch`` (the output folder is not part of a spec's identity), one without an
    integrity record (its weights and configuration cannot be verified) unless ``allow_unverified``;
    the warning for an unverified one is among the notes. Every command words
    its refusals and notes the same way because they all come from here. ``spec`` is the
    validated :class:`~skeletonllm.spec.PipelineSpec`; nothing heavy is built.
    """
    found, note = find_trained(spec_path, Path(spec.output_dir), checkpoint, untrained)
    if found is None:
        return AcceptedCheckpoint(None, {}, (note,) if note else ())
    loaded = read_checkpoint(found, allow_unverified)
    mismatch = check_spec_match(loaded.manifest, spec, found, allow_mismatch)
    notes = tuple(n for n in (loaded.unverified, mismatch, note) if n)
    return AcceptedCheckpoint(found, loaded.manifest, notes, unverified=loaded.unverified is not None)
