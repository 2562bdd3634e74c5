"""The tables of ``benchmarks/zero_shot.py``: accuracy per model with intervals over seeds, and
how much the frames move the scores (kept apart from the experiment so each file has one job)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import torch

from skeletonllm.stats import mean_interval

METRICS = {
    "unseen": "unseen, 5-way",
    "seen_all": "seen, 21-way",
    "unseen_all": "unseen, 21-way",
    "generalised": "generalised, 21-way",
    "harmonic": "H (21-way)",
}


def interval(values: list[float]) -> tuple[float, float]:
    """Mean and 95 % Student-t half-width over seeds (0 half-width for a single seed)."""
    found = mean_interval(values)
    return found.value, (found.high - found.low) / 2


def table(rows: list[dict], config: dict, suffix: str = "") -> str:
    chance = {"unseen": 1 / 5, "seen_all": 1 / 21, "unseen_all": 1 / 21, "generalised": 1 / 21, "harmonic": 1 / 21}
    head = "| model | seeds | " + " | ".join(METRICS.values()) + " | train loss first -> last |"
    lines = [head, "|" + "---|" * (len(METRICS) + 3)]
    for model in config["models"]:
        mine = [r for r in rows if r["model"] == model]
        if not mine:
            continue
        cells = []
        for key in METRICS:
            mean, half = interval([r[key + suffix] for r in mine])
            cells.append(f"{100 * mean:.1f} +- {100 * half:.1f}")
        first, last = statistics.fmean(r["loss_first"] for r in mine), statistics.fmean(r["loss_last"] for r in mine)
        lines.append(f"| {model} | {len(mine)} | " + " | ".join(cells) + f" | {first:.2f} -> {last:.2f} |")
    lines.append("| chance | | " + " | ".join(f"{100 * chance[k]:.1f}" for k in METRICS) + " | |")
    return "\n".join(lines)


def sensitivity(rows: list[dict], config: dict) -> str:
    """How much the frames move the scores: std over test clips (per candidate) vs over candidates (per clip).

    A model that reads the frames changes its scores from clip to clip; one that
    answers from the name prior alone has a near-zero first column.
    """
    lines = ["| model | seeds | score std across clips | score std across candidates |", "|---|---|---|---|"]
    for model in config["models"]:
        mine = [r for r in rows if r["model"] == model]
        if not mine:
            continue
        clips, candidates = [], []
        for r in mine:
            every = torch.tensor(r["raw_scores"]["seen"] + r["raw_scores"]["unseen"])
            clips.append(every.std(0).mean().item())
            candidates.append(every.std(1).mean().item())
        lines.append(f"| {model} | {len(mine)} | {statistics.fmean(clips):.4f} | {statistics.fmean(candidates):.4f} |")
    return "\n".join(lines)


def save(path: Path, results: dict) -> None:
    """Rewrite the results file (after every run, so an interrupted invocation resumes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ",\n".join(json.dumps(row) for row in results["rows"])  # one line per run: the raw scores are long
    head = json.dumps({k: v for k, v in results.items() if k != "rows"})[:-1]
    path.write_text(f'{head}, "rows": [\n{rows}\n]}}\n', encoding="utf-8")
