"""The toy training spec shared by the trainer tests (in-process, killed subprocesses, torchrun)."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
WORKER = HERE / "train_worker.py"


def toy_spec_data(output_dir: Path, **over) -> dict:
    """Two stages on the toy task: 4 warm-up steps, 30 refine steps, a checkpoint every 3."""
    data = {
        "data": {"name": "toy_data", "per_class": 12},
        "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
        "backbone": "toy_backbone",
        "stages": [{"name": "warmup", "max_steps": 4, "num_choices": 2}, {"name": "refine", "max_steps": 30}],
        "optim": {"lr": 0.1, "batch_size": 6, "save_every": 3, "seed": 3},
        "split": {"class_split": "3/1"},
        "output_dir": str(output_dir),
    }
    data.update(over)
    return data


def write_toy_spec(path: Path, output_dir: Path, **over) -> Path:
    path.write_text(yaml.safe_dump(toy_spec_data(output_dir, **over)))
    return path


def worker_command(spec: Path, *extra: str) -> list[str]:
    """``python train_worker.py SPEC ...``: the toy ``train`` command in a fresh process."""
    return [sys.executable, str(WORKER), str(spec), *extra]
