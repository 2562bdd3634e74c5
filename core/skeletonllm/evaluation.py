"""Evaluate a pipeline and write its report: the one path ``evaluate``, ``train`` and the demo share."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .interfaces.metric import MetricResult
from .pipeline import Pipeline
from .report import write_report


def evaluate_with_report(
    pipeline: Pipeline, *, spec: str, checkpoint: Any = None, out: str | Path | None = None, show_progress: bool = True
) -> tuple[dict[str, float], Path]:
    """Metrics of ``pipeline`` on its test split, and the report written to ``out`` (default output_dir/eval).

    The metrics are every metric's values in one mapping; the report holds everything else they returned.
    """
    results, report = evaluate_results(pipeline, spec=spec, checkpoint=checkpoint, out=out, show_progress=show_progress)
    return {k: v for result in results.values() for k, v in result.values.items()}, report


def evaluate_results(
    pipeline: Pipeline, *, spec: str, checkpoint: Any = None, out: str | Path | None = None, show_progress: bool = True
) -> tuple[dict[str, MetricResult], Path]:
    """Each metric's whole result (values, intervals, chance, notes) by metric name, and the report written."""
    start = time.time()
    predictions = pipeline.predict(show_progress=show_progress)
    results = pipeline.results(predictions)
    cfg = pipeline.cfg
    provenance = {
        "spec": spec,
        "spec hash": cfg.digest(),
        "seed": cfg.optim.seed,
        "checkpoint": str(checkpoint) if checkpoint else "none (untrained model)",
        "task": cfg.eval.task,
        "split": split_description(pipeline),
        "candidates": candidates_description(cfg.eval.candidates, cfg.split.class_split),
        "test clips": len({p.sample_id for p in predictions}),
        "questions": len(predictions),
        "renderer": pipeline.renderer.name,
        "backbone": pipeline.backbone.identity(),
        "elapsed": f"{time.time() - start:.1f} s",
    }
    directory = Path(out) if out else pipeline.output_dir / "eval"
    report = write_report(directory, predictions=predictions, results=results, provenance=provenance)
    return dict(results), report


def split_description(pipeline: Pipeline) -> str:
    """``train 'xsub/train', test 'xsub/test' (xsub = cross-subject: ...); class split '55/5'`` in words."""
    cfg = pipeline.cfg
    test = cfg.eval.split or cfg.split.test
    text = f"train {cfg.split.train!r}, test {test!r}"
    if cfg.eval.data is not None:
        text += f" of {pipeline.test_dataset.name!r}"
    heads = dict.fromkeys(s.rpartition("/")[0] for s in (cfg.split.train, cfg.split.test) if "/" in s)
    meanings = {h: pipeline.dataset.protocol_description(h) for h in heads if h}
    described = [f"{h} = {meaning}" for h, meaning in meanings.items() if meaning]
    if described:
        text += f" ({'; '.join(described)})"
    if cfg.split.class_split is None:
        return text + "; no class split: every class is seen in training"
    return text + f"; class split {cfg.split.class_split!r} (unseen classes never reach training)"


def candidates_description(candidates: str, class_split: str | None) -> str:
    """What the model chooses among at test time, in words."""
    if class_split is None:
        return f"{candidates}: every class of the test set is a candidate"
    return {
        "all": "all: seen and unseen classes are candidates (generalised zero-shot)",
        "unseen": "unseen: only classes held out of training are candidates (zero-shot)",
        "seen": "seen: only classes seen in training are candidates",
    }.get(candidates, candidates)
