"""Atomic safetensors checkpoints with a JSON manifest, verified in full on load.

A kill at any moment leaves either the previous checkpoint or the new one,
never half a file: tensors and manifest go to a temporary directory that is
renamed into place. Nothing here unpickles: safetensors holds only tensors
and the manifest is JSON.

The manifest also records a SHA-256 of the tensor file, a SHA-256 of the
manifest itself (the recorded configuration: renderer options, an evaluator's
frame count) and each tensor's shape and dtype (under ``INTEGRITY``), so
overwritten bytes, an edited option, a deleted tensor or a swapped file are
refused on load instead of silently changing the answers. A checkpoint with no
integrity record (deleted, set to null, or from before manifests were hashed)
cannot be verified and is refused unless the caller passes
``allow_unverified=True`` (the commands' ``--allow-unverified``). NaN or infinite
values and tensors that are not floating point (every trained tensor and
optimiser moment is) are refused always. ``verify_against`` checks what a model expects.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .errors import CheckpointError
from .safe_read import regular_file_problem

TENSORS = "model.safetensors"
MANIFEST = "manifest.json"
#: the folder under a run's output_dir that holds its latest checkpoint
LAST = "last"
#: manifest key of the checkpoint's own integrity record (stripped from what load returns)
INTEGRITY = "_integrity"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_sha256(manifest: dict[str, Any]) -> str:
    """Hex SHA-256 of a manifest's canonical JSON (sorted keys, no spaces), without its integrity record."""
    body = {k: v for k, v in manifest.items() if k != INTEGRITY}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def old_copy(directory: str | Path) -> Path:
    """Where a crash between the two renames of ``save_checkpoint`` leaves the previous checkpoint."""
    directory = Path(directory)
    return directory.with_name(f".{directory.name}.old")


def resolve_checkpoint(directory: str | Path) -> Path | None:
    """The folder that holds the checkpoint meant by ``directory``: itself, its ``.old`` copy, or None."""
    directory = Path(directory)
    if (directory / MANIFEST).exists():
        return directory
    if (old_copy(directory) / MANIFEST).exists():
        return old_copy(directory)
    return None


def save_checkpoint(directory: str | Path, tensors: dict[str, torch.Tensor], manifest: dict[str, Any]) -> Path:
    """Write ``tensors`` + ``manifest`` to ``directory`` atomically (replacing any old one)."""
    directory = Path(directory)
    _check_finite(directory, tensors, "refusing to save them (the previous checkpoint is kept)")
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        cpu = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
        save_file(cpu, str(tmp / TENSORS))
        integrity = {
            "sha256": file_sha256(tmp / TENSORS),
            "manifest_sha256": manifest_sha256(json.loads(json.dumps(manifest))),  # as it will read back
            "shapes": {k: list(v.shape) for k, v in cpu.items()},
            "dtypes": {k: str(v.dtype).removeprefix("torch.") for k, v in cpu.items()},
        }
        with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump({**manifest, INTEGRITY: integrity}, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(directory, old)
        os.replace(tmp, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except (OSError, SafetensorError) as exc:  # a full disk, a read-only folder
        shutil.rmtree(tmp, ignore_errors=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        kept = " (the previous checkpoint is kept)" if resolve_checkpoint(directory) else ""
        raise CheckpointError(f"{directory}: cannot write checkpoint: {reason}{kept}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def load_checkpoint(
    directory: str | Path, allow_unverified: bool = False, warn: bool = True
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read and verify a checkpoint; a crash between the two renames leaves ``.NAME.old``, which is used.

    Refuses a tensor file or manifest whose hash differs from the integrity record, shapes or
    dtypes that differ from it, any NaN or infinite value and any tensor that is not floating
    point. Without an integrity record the checkpoint is refused unless ``allow_unverified``
    (then a warning is printed, unless ``warn`` is false because the caller already said it).
    The returned manifest has no integrity record.
    """
    loaded = read_checkpoint(directory, allow_unverified)
    if loaded.unverified and warn:
        print(loaded.unverified, file=sys.stderr)
    return loaded.tensors, loaded.manifest


class LoadedCheckpoint(NamedTuple):
    """What :func:`read_checkpoint` returns: ``unverified`` is the warning to show when the
    checkpoint was accepted without an integrity record (``--allow-unverified``), else None."""

    tensors: dict[str, torch.Tensor]
    manifest: dict[str, Any]
    directory: Path
    unverified: str | None


def read_checkpoint(directory: str | Path, allow_unverified: bool = False) -> LoadedCheckpoint:
    """:func:`load_checkpoint` without printing: the caller words the unverified warning (the
    checkpoint rule shows it with its other notes, in the terminal and on the app's page)."""
    requested = Path(directory)
    directory = resolve_checkpoint(requested)
    if directory is None:
        raise CheckpointError(f"{requested}: no checkpoint here (expected {MANIFEST} and {TENSORS})")
    for name in (MANIFEST, TENSORS):  # a named pipe would block the read forever
        problem = regular_file_problem(directory / name)
        if problem:
            raise CheckpointError(f"{directory / name}: {problem}; not a checkpoint file")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        tensors = load_file(str(directory / TENSORS))
    except (OSError, ValueError, SafetensorError) as exc:
        raise CheckpointError(f"{directory}: corrupt checkpoint: {exc}") from None
    if not isinstance(manifest, dict):
        raise CheckpointError(f"{directory}: corrupt checkpoint: {MANIFEST} is not a JSON object")
    integrity = manifest.pop(INTEGRITY, None)
    unverified = _unverified(integrity)
    if unverified is None:
        _check_integrity(directory, tensors, manifest, integrity)
    elif not allow_unverified:
        raise CheckpointError(
            f"{directory}: {unverified}, so its weights and configuration cannot be verified (edited, or not "
            "written by this program); refusing to use it. Pass --allow-unverified to use it anyway"
        )
    _check_dtypes(directory, tensors)
    _check_finite(directory, tensors)
    note = f"warning: {directory}: {unverified}; using it unverified (--allow-unverified)" if unverified else None
    return LoadedCheckpoint(tensors, manifest, directory, note)


def _unverified(integrity: Any) -> str | None:
    """Why a checkpoint's integrity record cannot verify it, or None when it can."""
    if integrity is None:
        return f"the manifest has no integrity record ({INTEGRITY} is missing or null)"
    if not isinstance(integrity, dict) or not isinstance(integrity.get("sha256"), str):
        return f"the manifest's {INTEGRITY} record is malformed"
    if not isinstance(integrity.get("manifest_sha256"), str):
        return "the manifest was written before its configuration was hashed"
    return None


def _check_integrity(directory: Path, tensors: dict[str, torch.Tensor], manifest: dict, integrity: dict) -> None:
    if file_sha256(directory / TENSORS) != integrity["sha256"]:
        raise CheckpointError(
            f"{directory}: {TENSORS} does not match the hash recorded when it was saved "
            "(the file was modified or damaged); refusing to use it"
        )
    if manifest_sha256(manifest) != integrity["manifest_sha256"]:
        raise CheckpointError(
            f"{directory}: {MANIFEST} does not match the hash recorded when it was saved (its configuration "
            "was edited); refusing to use it"
        )
    shapes = integrity.get("shapes")
    if isinstance(shapes, dict):
        verify_against(tensors, {k: tuple(v) for k, v in shapes.items()}, directory, exact=True)
    dtypes = integrity.get("dtypes")
    if isinstance(dtypes, dict):
        wrong = sorted(
            f"{k} ({str(v.dtype).removeprefix('torch.')}, recorded {dtypes[k]})"
            for k, v in tensors.items()
            if k in dtypes and str(v.dtype).removeprefix("torch.") != dtypes[k]
        )
        if wrong:
            raise CheckpointError(f"{directory}: tensors changed dtype since they were saved: {_few(wrong)}")


def _check_dtypes(directory: Path, tensors: dict[str, torch.Tensor]) -> None:
    """Every trained weight and optimiser moment is floating point; an int or bool tensor is an edit."""
    bad = sorted(
        f"{k} ({str(v.dtype).removeprefix('torch.')})" for k, v in tensors.items() if not v.is_floating_point()
    )
    if bad:
        raise CheckpointError(
            f"{directory}: tensors that are not floating point: {_few(bad)}; a checkpoint holds float weights only"
        )


def _check_finite(directory: Path, tensors: dict[str, torch.Tensor], action: str = "refusing to use them") -> None:
    bad = [k for k, v in tensors.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise CheckpointError(f"{directory}: tensors hold NaN or infinite values: {shown}; {action}")


def verify_against(
    tensors: dict[str, torch.Tensor],
    expected: dict[str, tuple[int, ...]],
    source: object = "checkpoint",
    exact: bool = False,
) -> None:
    """Every ``expected`` name is present with its shape (and, when ``exact``, nothing else is).

    Restoring code passes the tensors a model will read: a missing LoRA tensor would otherwise
    leave that layer at its initial value and change the answers without a word.
    """
    missing = sorted(k for k in expected if k not in tensors)
    wrong = sorted(
        f"{k} {tuple(tensors[k].shape)} (expected {tuple(expected[k])})"
        for k in expected
        if k in tensors and tuple(tensors[k].shape) != tuple(expected[k])
    )
    extra = sorted(k for k in tensors if k not in expected) if exact else []
    if missing or wrong or extra:
        parts = []
        if missing:
            parts.append(f"missing expected tensors {_few(missing)}")
        if wrong:
            parts.append(f"wrong shapes {_few(wrong)}")
        if extra:
            parts.append(f"unexpected tensors {_few(extra)}")
        raise CheckpointError(f"{source}: {'; '.join(parts)}")


def _few(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
