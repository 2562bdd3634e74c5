"""The confusion matrix of recognition answers and its picture (rows: true class, columns: parsed answer).

The columns are known before counting: every candidate and true class, then any
other parsed answer (a name the model was not offered), then "no label".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.tasks import Prediction, normalise

UNPARSED = "(no label)"


@dataclass(frozen=True)
class Confusion:
    """Counts of (true class, parsed answer) over recognition predictions."""

    labels: list[str]
    columns: list[str]
    counts: np.ndarray

    @classmethod
    def of(cls, predictions: Sequence[Prediction]) -> Confusion:
        labels = sorted({normalise(p.example.answer or "") for p in predictions})
        candidates = sorted({normalise(c) for p in predictions for c in p.example.candidates} | set(labels))
        others = sorted({p.parsed for p in predictions if p.parsed is not None} - set(candidates))
        columns = [*candidates, *others, UNPARSED]
        counts = np.zeros((len(labels), len(columns)), dtype=int)
        for p in predictions:
            row = labels.index(normalise(p.example.answer or ""))
            counts[row, columns.index(UNPARSED if p.parsed is None else p.parsed)] += 1
        return cls(labels, columns, counts)

    @property
    def unparsed(self) -> int:
        return int(self.counts[:, -1].sum())


def plot_confusion(confusion: Confusion, path: Path, accuracy: float, chance: float | None) -> Path:
    """A confusion-matrix PNG with class names, written atomically to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, cols = confusion.counts.shape
    fig, ax = plt.subplots(figsize=(max(4.0, 0.45 * cols + 2.5), max(3.0, 0.4 * rows + 2.0)), dpi=100)
    norm = confusion.counts / np.maximum(confusion.counts.sum(axis=1, keepdims=True), 1)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(cols), [_short(c) for c in confusion.columns], rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(rows), [_short(c) for c in confusion.labels], fontsize=7)
    for i in range(rows):
        for j in range(cols):
            if confusion.counts[i, j]:
                colour = "white" if norm[i, j] > 0.6 else "black"
                ax.text(j, i, str(confusion.counts[i, j]), ha="center", va="center", fontsize=6, color=colour)
    ax.set_xlabel("parsed answer")
    ax.set_ylabel("true class")
    title = f"accuracy {accuracy:.3f}" + (f" (chance {chance:.3f})" if chance is not None else "")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    try:
        with atomic_write(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return path


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
