"""Evaluate a pipeline and write its report: the one path ``evaluate``, ``train`` and the demo share."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .pipeline import Pipeline
from .report import write_report


def evaluate_with_report(
    pipeline: Pipeline, *, spec: str, checkpoint: Any = None, out: str | Path | None = None, show_progress: bool = True
) -> tuple[dict[str, float], Path]:
    """Metrics of ``pipeline`` on its test split, and the report written to ``out`` (default output_dir/eval)."""
    start = time.time()
    predictions = pipeline.predict(show_progress=show_progress)
    notes: dict[str, str] = {}
    metrics = pipeline.score(predictions, notes)
    cfg = pipeline.cfg
    provenance = {
        "spec": spec,
        "spec hash": cfg.digest(),
        "seed": cfg.optim.seed,
        "checkpoint": str(checkpoint) if checkpoint else "none (untrained model)",
        "task": cfg.eval.task,
        "split": f"train {cfg.split.train!r}, test {cfg.eval.split or cfg.split.test!r}"
        + (f" of dataset {cfg.eval.data.name!r}" if cfg.eval.data is not None else "")
        + f", class split {cfg.split.class_split!r}",
        "candidates": cfg.eval.candidates,
        "test clips": len({p.sample_id for p in predictions}),
        "questions": len(predictions),
        "renderer": pipeline.renderer.name,
        "backbone": pipeline.backbone.identity(),
        "elapsed": f"{time.time() - start:.1f} s",
    }
    directory = Path(out) if out else pipeline.output_dir / "eval"
    report = write_report(
        directory, predictions=predictions, metrics=metrics, provenance=provenance, seed=cfg.optim.seed
    )
    return metrics, report
