"""The evaluation report: what ``skeletonllm evaluate`` writes, laid out from what the metrics return.

The report computes no figure. Each metric returns a
:class:`~skeletonllm.interfaces.metric.MetricResult` (values, intervals, chance
levels, tables, pictures, notes) and this module prints every part of it, in
``report.md`` and ``metrics.json``, next to the provenance of the run (spec,
seed, checkpoint, split, counts, elapsed time). A caveat a metric attaches to a
figure therefore cannot be dropped on the way to the page.

Intervals are computed by the metrics with :mod:`skeletonllm.stats`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .atomic import atomic_write
from .interfaces.metric import MetricResult
from .tasks import Prediction


def write_report(
    directory: str | Path,
    *,
    predictions: Sequence[Prediction],
    results: Mapping[str, MetricResult],
    provenance: Mapping[str, Any],
) -> Path:
    """Write ``metrics.json``, ``predictions.jsonl``, ``report.md`` and every metric's pictures into ``directory``.

    Each file goes through :func:`~skeletonllm.atomic.atomic_write`, so a crash never leaves half a report.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pictures = picture_files(results)
    for (_metric, picture), file in pictures.items():
        picture.draw(directory / file)
    _write_text(directory / "metrics.json", json.dumps(as_record(results, provenance, pictures), indent=2))
    _write_text(directory / "predictions.jsonl", "".join(json.dumps(_prediction(p)) + "\n" for p in predictions))
    _write_text(directory / "report.md", render_markdown(results, provenance, pictures))
    return directory / "report.md"


def picture_files(results: Mapping[str, MetricResult]) -> dict[tuple[str, Any], str]:
    """``(metric, picture) -> file name``: the metric's own name, prefixed by the metric's when two would clash."""
    names = [p.file for r in results.values() for p in r.pictures]
    return {
        (metric, p): (p.file if names.count(p.file) == 1 else f"{metric}_{p.file}")
        for metric, result in results.items()
        for p in result.pictures
    }


def as_record(
    results: Mapping[str, MetricResult], provenance: Mapping[str, Any], pictures: Mapping[tuple[str, Any], str]
) -> dict[str, Any]:
    """``metrics.json``: every value in one mapping (as the CLI prints it), then each metric's whole result."""
    record: dict[str, Any] = {
        "metrics": {k: _json_number(v) for r in results.values() for k, v in r.values.items()},
        "results": {},
        "provenance": dict(provenance),
    }
    for metric, result in results.items():
        record["results"][metric] = {
            "values": {k: _json_number(v) for k, v in result.values.items()},
            "intervals": {
                k: {a: _json_number(b) for a, b in iv.as_dict().items()} for k, iv in result.intervals.items()
            },
            "chance": dict(result.chance),
            "notes": dict(result.notes),
            "tables": [
                {"title": t.title, "columns": list(t.columns), "rows": [list(r) for r in t.rows], "caption": t.caption}
                for t in result.tables
            ],
            "pictures": [{"file": pictures[(metric, p)], "title": p.title} for p in result.pictures],
        }
    return json.loads(json.dumps(record, default=str))


def render_markdown(
    results: Mapping[str, MetricResult],
    provenance: Mapping[str, Any],
    pictures: Mapping[tuple[str, Any], str] | None = None,
) -> str:
    """The report's text: provenance, then one section per metric with all it returned."""
    pictures = picture_files(results) if pictures is None else pictures
    out = ["# Evaluation report", "", "| | |", "|---|---|"]
    out += [f"| {key} | `{value}` |" for key, value in provenance.items()]
    out.append("")
    for metric, result in results.items():
        out += [f"## {metric}", ""]
        out += _figures(result)
        if result.notes:
            out += ["Notes on these figures:", ""]
            out += [f"- `{figure}`: {text}" if figure else f"- {text}" for figure, text in result.notes.items()]
            out.append("")
        for table in result.tables:
            out += [f"### {table.title}", ""]
            if table.caption:
                out += [table.caption, ""]
            out += ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
            out.append("")
        for picture in result.pictures:
            file = pictures[(metric, picture)]
            out += [f"### {picture.title}", "", f"![{picture.title}]({file})", ""]
    return "\n".join(out)


def _figures(result: MetricResult) -> list[str]:
    if not result.values:
        return []
    lines = ["| figure | value | 95 % interval | n | chance |", "|---|---|---|---|---|"]
    methods = []
    for name, value in result.values.items():
        iv = result.intervals.get(name)
        span = f"[{iv.low:.3f}, {iv.high:.3f}]" if iv else ""
        chance = f"{result.chance[name]:.3f}" if name in result.chance else ""
        lines.append(f"| {name} | {_number(value)} | {span} | {iv.n if iv else ''} | {chance} |")
        if iv and iv.method and iv.method not in methods:
            methods.append(iv.method)
    lines.append("")
    if methods:
        lines += [f"Intervals: {', '.join(methods)}.", ""]
    return lines


def _number(value: float) -> str:
    """Four decimals (an accuracy of 0 or 1 too); a whole count of 2 or more as an integer."""
    return f"{int(value):,}" if float(value).is_integer() and abs(value) >= 2 else f"{value:.4f}"


def _json_number(value: Any) -> Any:
    """NaN and infinity are not JSON: write them as null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _prediction(p: Prediction) -> dict[str, Any]:
    return {
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


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
