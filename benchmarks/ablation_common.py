"""What the ablation benchmarks share: train and evaluate one spec, summarise runs over seeds.

One run's figures come from the same code as ``skeletonllm evaluate``'s report
(``skeletonllm.stats``): accuracy over typed predictions, the chance level of the
question asked, and the share of the most frequent answer (1.0 means the model
answers one class whatever the clip: collapse onto the label prior).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.stats import bootstrap_interval, mean_interval
from skeletonllm.training import Trainer


def run_one(spec: dict) -> dict:
    """Train (resuming a killed run from its output_dir) and evaluate one spec.

    The per-answer hits are kept so runs can be pooled.
    """
    torch.manual_seed(spec.get("optim", {}).get("seed", 0))
    pipeline = Pipeline(validate_spec(spec))
    start = time.time()
    history = Trainer(pipeline).fit(resume=True)
    train_s = time.time() - start
    predictions = pipeline.predict(show_progress=False)
    metrics = pipeline.score(predictions)
    answers = Counter(p.parsed for p in predictions)
    return {
        "renderer": spec["renderer"]["name"],
        "seed": spec.get("optim", {}).get("seed", 0),
        "learnable": pipeline.renderer.learnable,
        "loss_first": history[0]["loss_first"],
        "loss_last": history[-1]["loss_last"],
        "train_s": round(train_s, 1),
        "steps": sum(h["steps"] for h in history),
        "metrics": metrics,
        "accuracy": metrics["accuracy"],
        "hits": [bool(p.correct) for p in predictions],
        "top_answer_share": answers.most_common(1)[0][1] / len(predictions),
        "chance": float(np.mean([1 / len(p.example.candidates) for p in predictions if p.example.candidates])),
    }


def summarise(runs: list[dict]) -> dict:
    """Mean over seeds with a Student-t 95 % interval, and the pooled bootstrap interval over answers."""
    accs = [r["accuracy"] for r in runs]
    seeds = mean_interval(accs)
    pooled = bootstrap_interval([h for r in runs for h in r["hits"]])
    return {
        "learnable": runs[0]["learnable"],
        "seeds": len(runs),
        "accuracy_per_seed": accs,
        "mean": seeds.value,
        "t_low": seeds.low,
        "t_high": seeds.high,
        "pooled": pooled.value,
        "pooled_low": pooled.low,
        "pooled_high": pooled.high,
        "clips": pooled.n,
        "chance": runs[0]["chance"],
        "top_answer_share": float(np.mean([r["top_answer_share"] for r in runs])),
        "loss_last": float(np.mean([r["loss_last"] for r in runs])),
        "train_s": float(np.mean([r["train_s"] for r in runs])),
        "steps": runs[0]["steps"],
    }


def load_runs(path: Path) -> dict[tuple[str, int], dict]:
    """Finished runs recorded in a JSON-lines file, by ``(variant, seed)``: a restarted benchmark skips them."""
    if not path.exists():
        return {}
    runs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            runs[(record["variant"], record["seed"])] = record
    return runs


def record_run(path: Path, variant: str, run: dict) -> None:
    """Append one finished run (with its hits) so that an interrupted benchmark loses nothing."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"variant": variant, **run}) + "\n")


def seed_runs(
    variant: str,
    seeds: list[int],
    spec_for: Callable[[int], dict],
    done: dict[tuple[str, int], dict],
    done_path: Path,
    summarise_only: bool = False,
) -> list[dict]:
    """Every seed's run of ``variant``: recorded ones are reused, the others trained and recorded.

    With ``summarise_only`` nothing is trained: the table is written from what finished.
    """
    runs = []
    for seed in seeds:
        if (variant, seed) in done:
            runs.append(done[(variant, seed)])
            continue
        if summarise_only:
            continue
        print(f"== {variant}, seed {seed}", flush=True)
        runs.append(run_one(spec_for(seed)))
        record_run(done_path, variant, runs[-1])
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "hits"}), flush=True)
    return runs


def seeds_cell(row: dict) -> str:
    """``mean [t low, t high] | per seed | pooled [low, high] (answers)``: the three interval columns."""
    per_seed = ", ".join(f"{a:.3f}" for a in row["accuracy_per_seed"])
    return (
        f"{row['mean']:.3f} [{row['t_low']:.3f}, {row['t_high']:.3f}] | {per_seed} | "
        f"{row['pooled']:.3f} [{row['pooled_low']:.3f}, {row['pooled_high']:.3f}] ({row['clips']})"
    )


REPO = Path(__file__).resolve().parents[1]


def shown_path(path: Path) -> Path:
    """``path`` relative to the repository when it lies inside it (for a printed command)."""
    path = path.resolve()
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path
