"""Atomic safetensors checkpoints with a JSON manifest.

A kill at any moment leaves either the previous checkpoint or the new one,
never half a file: tensors and manifest go to a temporary directory that is
renamed into place. Nothing here unpickles: safetensors holds only tensors
and the manifest is JSON.
"""

from __future__ import annotations

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


def save_checkpoint(directory: str | Path, tensors: dict[str, torch.Tensor], manifest: dict[str, Any]) -> Path:
    """Write ``tensors`` + ``manifest`` to ``directory`` atomically (replacing any old one)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp / TENSORS))
        with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=True)
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
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def load_checkpoint(directory: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint; a crash between the two renames leaves ``.NAME.old``, which is used."""
    directory = Path(directory)
    if not (directory / MANIFEST).exists():
        old = directory.with_name(f".{directory.name}.old")
        if (old / MANIFEST).exists():
            directory = old
        else:
            raise CheckpointError(f"{directory}: no checkpoint here (expected {MANIFEST} and {TENSORS})")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        tensors = load_file(str(directory / TENSORS))
    except (OSError, ValueError, SafetensorError) as exc:
        raise CheckpointError(f"{directory}: corrupt checkpoint: {exc}") from None
    return tensors, manifest
