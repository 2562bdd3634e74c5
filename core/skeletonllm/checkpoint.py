"""Atomic safetensors checkpoints with a JSON manifest, verified in full on load.

A kill at any moment leaves either the previous checkpoint or the new one,
never half a file: tensors and manifest go to a temporary directory that is
renamed into place. Nothing here unpickles: safetensors holds only tensors
and the manifest is JSON.

The manifest also records a SHA-256 of the tensor file and each tensor's
shape (under ``INTEGRITY``), so overwritten bytes, a deleted tensor or a
swapped file are refused on load instead of silently changing the answers;
NaN or infinite values are refused too. ``verify_against`` checks what a
model expects.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .errors import CheckpointError

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
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        cpu = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
        save_file(cpu, str(tmp / TENSORS))
        integrity = {"sha256": file_sha256(tmp / TENSORS), "shapes": {k: list(v.shape) for k, v in cpu.items()}}
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


def load_checkpoint(directory: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read and verify a checkpoint; a crash between the two renames leaves ``.NAME.old``, which is used.

    Refuses a tensor file whose hash or shapes differ from the manifest's record and any
    NaN or infinite value. The returned manifest has no integrity record.
    """
    requested = Path(directory)
    directory = resolve_checkpoint(requested)
    if directory is None:
        raise CheckpointError(f"{requested}: no checkpoint here (expected {MANIFEST} and {TENSORS})")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        tensors = load_file(str(directory / TENSORS))
    except (OSError, ValueError, SafetensorError) as exc:
        raise CheckpointError(f"{directory}: corrupt checkpoint: {exc}") from None
    if not isinstance(manifest, dict):
        raise CheckpointError(f"{directory}: corrupt checkpoint: {MANIFEST} is not a JSON object")
    integrity = manifest.pop(INTEGRITY, None)
    if integrity is not None:
        _check_integrity(directory, tensors, integrity)
    _check_finite(directory, tensors)
    return tensors, manifest


def _check_integrity(directory: Path, tensors: dict[str, torch.Tensor], integrity: Any) -> None:
    if not isinstance(integrity, dict) or not isinstance(integrity.get("sha256"), str):
        raise CheckpointError(f"{directory}: corrupt checkpoint: the manifest's {INTEGRITY} record is malformed")
    if file_sha256(directory / TENSORS) != integrity["sha256"]:
        raise CheckpointError(
            f"{directory}: {TENSORS} does not match the hash recorded when it was saved "
            "(the file was modified or damaged); refusing to use it"
        )
    shapes = integrity.get("shapes")
    if isinstance(shapes, dict):
        verify_against(tensors, {k: tuple(v) for k, v in shapes.items()}, directory, exact=True)


def _check_finite(directory: Path, tensors: dict[str, torch.Tensor]) -> None:
    bad = [k for k, v in tensors.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise CheckpointError(f"{directory}: tensors hold NaN or infinite values: {shown}; refusing to use them")


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
