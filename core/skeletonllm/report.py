"""The evaluation report: what ``skeletonllm evaluate`` writes next to ``metrics.json``.

A number without its interval and its chance level cannot be trusted, so the
report gives every accuracy a 95 % bootstrap interval (percentile method over
test clips, seeded), the chance level of the question asked, per-class
accuracy, a confusion matrix with class names, example captions beside their
references, and the provenance of the run (spec, seed, checkpoint, split,
sample counts, elapsed time). ``benchmarks/`` scripts reuse these functions,
so a table in the docs and a report on disk are computed the same way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_write
from .tasks import Prediction, TaskKind, normalise

UNPARSED = "(no label)"


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95 % interval and the number of items behind it."""

    value: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high, "n": self.n}


def bootstrap_interval(
    values: Sequence[float], *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> Interval:
    """Mean of ``values`` with a percentile-bootstrap interval (resampling items with replacement).

    Deterministic for a given ``seed``. With fewer than two items the interval is the value itself.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(data.mean())
    if data.size < 2:
        return Interval(mean, mean, mean, int(data.size))
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Interval(mean, float(low), float(high), int(data.size))


#: two-sided 95 % Student-t quantiles by degrees of freedom (seed counts are small; no scipy needed)
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         15: 2.131, 20: 2.086, 30: 2.042}  # fmt: skip


def _t975(dof: int) -> float:
    """The 97.5 % t quantile for ``dof`` (the next tabulated smaller dof, so never too narrow; 1.96 past 30)."""
    if dof > 30:
        return 1.96
    return _T975[max(k for k in _T975 if k <= dof)]


def mean_interval(values: Sequence[float]) -> Interval:
    """Mean over runs (e.g. seeds) with a 95 % Student-t interval: the spread of whole runs, not of clips."""
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        value = float(data.mean()) if data.size else math.nan
        return Interval(value, value, value, int(data.size))
    half = _t975(int(data.size) - 1) * float(data.std(ddof=1)) / math.sqrt(data.size)
    mean = float(data.mean())
    return Interval(mean, mean - half, mean + half, int(data.size))


@dataclass
class RecognitionSummary:
    """Accuracy with intervals, per class, and the confusion matrix of recognition predictions."""

    overall: Interval
    seen: Interval | None
    unseen: Interval | None
    chance: float
    per_class: dict[str, Interval]
    labels: list[str]
    predicted: list[str]
    confusion: np.ndarray
    unparsed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def summarise_recognition(predictions: Sequence[Prediction], *, seed: int = 0) -> RecognitionSummary | None:
    """Accuracy summary of the recognition predictions (``None`` when there are none)."""
    rec = [p for p in predictions if p.example.is_recognition and p.example.answer is not None]
    if not rec:
        return None
    hits = np.array([bool(p.correct) for p in rec], dtype=float)
    unseen_flags = [p.example.meta.get("unseen") for p in rec]
    seen = unseen = None
    if any(f is not None for f in unseen_flags):
        seen_hits = [h for h, f in zip(hits, unseen_flags) if not f]
        unseen_hits = [h for h, f in zip(hits, unseen_flags) if f]
        seen = bootstrap_interval(seen_hits, seed=seed) if seen_hits else None
        unseen = bootstrap_interval(unseen_hits, seed=seed) if unseen_hits else None
    chances = [1.0 / len(p.example.candidates) for p in rec if p.example.candidates]
    chance = float(np.mean(chances)) if chances else math.nan
    labels = sorted({normalise(p.example.answer or "") for p in rec})
    candidates = sorted({normalise(c) for p in rec for c in p.example.candidates} | set(labels))
    # answers that name no candidate get their own columns, before "no label"
    others = sorted({p.parsed for p in rec if p.parsed is not None} - set(candidates))
    columns = [*candidates, *others, UNPARSED]
    matrix = np.zeros((len(labels), len(columns)), dtype=int)
    per_class_hits: dict[str, list[float]] = {label: [] for label in labels}
    for p, hit in zip(rec, hits):
        truth = normalise(p.example.answer or "")
        matrix[labels.index(truth), columns.index(UNPARSED if p.parsed is None else p.parsed)] += 1
        per_class_hits[truth].append(hit)
    unparsed = int(matrix[:, -1].sum())
    per_class = {label: bootstrap_interval(v, seed=seed) for label, v in per_class_hits.items()}
    return RecognitionSummary(
        bootstrap_interval(hits, seed=seed), seen, unseen, chance, per_class, labels, columns, matrix, unparsed
    )


def plot_confusion(summary: RecognitionSummary, path: Path) -> Path:
    """A confusion-matrix PNG with class names (rows: true class, columns: parsed answer)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, cols = summary.confusion.shape
    fig, ax = plt.subplots(figsize=(max(4.0, 0.45 * cols + 2.5), max(3.0, 0.4 * rows + 2.0)), dpi=100)
    norm = summary.confusion / np.maximum(summary.confusion.sum(axis=1, keepdims=True), 1)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(cols), [_short(c) for c in summary.predicted], rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(rows), [_short(c) for c in summary.labels], fontsize=7)
    for i in range(rows):
        for j in range(cols):
            if summary.confusion[i, j]:
                colour = "white" if norm[i, j] > 0.6 else "black"
                ax.text(j, i, str(summary.confusion[i, j]), ha="center", va="center", fontsize=6, color=colour)
    ax.set_xlabel("parsed answer")
    ax.set_ylabel("true class")
    ax.set_title(f"accuracy {summary.overall.value:.3f} (chance {summary.chance:.3f})", fontsize=9)
    fig.tight_layout()
    try:
        with atomic_write(path) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def caption_examples(predictions: Sequence[Prediction], k: int = 5) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(sample id, generated caption, references)`` for the first ``k`` captioning predictions."""
    out = [(p.sample_id, p.output, p.example.references) for p in predictions if p.example.kind is TaskKind.CAPTION]
    return out[:k]


def write_report(
    directory: str | Path,
    *,
    predictions: Sequence[Prediction],
    metrics: dict[str, float],
    provenance: dict[str, Any],
    seed: int = 0,
    notes: dict[str, str] | None = None,
) -> Path:
    """Write ``metrics.json``, ``predictions.jsonl``, ``report.md`` and ``confusion.png`` into ``directory``.

    Each file goes through :func:`~skeletonllm.atomic.atomic_write`, so a crash never leaves half a report.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    summary = summarise_recognition(predictions, seed=seed)
    record: dict[str, Any] = {"metrics": metrics, "provenance": provenance, "notes": notes or {}}
    if summary is not None:
        record["intervals"] = {
            "accuracy": summary.overall.as_dict(),
            **({"seen_accuracy": summary.seen.as_dict()} if summary.seen else {}),
            **({"unseen_accuracy": summary.unseen.as_dict()} if summary.unseen else {}),
        }
        record["chance"] = summary.chance
        plot_confusion(summary, directory / "confusion.png")
    _write_text(directory / "metrics.json", json.dumps(record, indent=2, sort_keys=True, default=str))
    lines = [
        json.dumps(
            {
                "id": p.sample_id,
                "kind": p.example.kind.value,
                "question": p.example.question,
                "candidates": list(p.example.candidates),
                "answer": p.example.answer,
                "references": list(p.example.references),
                "output": p.output,
                "parsed": p.parsed,
                "correct": p.correct,
            }
        )
        for p in predictions
    ]
    _write_text(directory / "predictions.jsonl", "\n".join(lines) + ("\n" if lines else ""))
    _write_text(directory / "report.md", render_markdown(predictions, metrics, provenance, summary, notes))
    return directory / "report.md"


def render_markdown(
    predictions: Sequence[Prediction],
    metrics: dict[str, float],
    provenance: dict[str, Any],
    summary: RecognitionSummary | None,
    notes: dict[str, str] | None = None,
) -> str:
    """The report's text: provenance, headline figures with intervals, notes, per-class table, captions."""
    out = ["# Evaluation report", "", "| | |", "|---|---|"]
    out += [f"| {key} | `{value}` |" for key, value in provenance.items()]
    out += ["", "## Figures", ""]
    if summary is not None:
        out += [
            "Accuracies are means over test clips with a 95 % percentile-bootstrap interval (2,000 resamples).",
            "",
            "| figure | value | 95 % interval | clips |",
            "|---|---|---|---|",
        ]
        rows = [("accuracy", summary.overall), ("seen accuracy", summary.seen), ("unseen accuracy", summary.unseen)]
        for name, interval in rows:
            if interval is not None:
                out.append(
                    f"| {name} | {interval.value:.3f} | [{interval.low:.3f}, {interval.high:.3f}] | {interval.n} |"
                )
        out.append(f"| chance (1 / candidates) | {summary.chance:.3f} | | |")
        if "harmonic_mean" in metrics:
            out.append(f"| harmonic mean (seen, unseen) | {metrics['harmonic_mean']:.3f} | | |")
        out += ["", f"Answers without a parsable label: {summary.unparsed}.", ""]
    other = {
        k: v for k, v in metrics.items() if k not in {"accuracy", "seen_accuracy", "unseen_accuracy", "harmonic_mean"}
    }
    if other:
        out += ["| metric | value |", "|---|---|"]
        out += [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in sorted(other.items())]
        out.append("")
    if notes:
        out += ["Notes on these figures:", ""]
        out += [f"- `{figure}`: {text}" for figure, text in sorted(notes.items())]
        out.append("")
    if summary is not None:
        out += ["## Per class", "", "| class | accuracy | 95 % interval | clips |", "|---|---|---|---|"]
        for label, interval in summary.per_class.items():
            out.append(f"| {label} | {interval.value:.3f} | [{interval.low:.3f}, {interval.high:.3f}] | {interval.n} |")
        out += ["", "## Confusion matrix", "", "![confusion matrix](confusion.png)", ""]
    captions = caption_examples(predictions)
    if captions:
        out += ["## Example captions", "", "| clip | generated | references |", "|---|---|---|"]
        for sample_id, output, references in captions:
            refs = " / ".join(references) or "(none)"
            out.append(f"| {sample_id} | {_cell(output)} | {_cell(refs)} |")
        out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
