"""The tables of ``zero_shot_real.py`` from its run records: accuracy, spread, confusion, cost, what was not run.

Kept apart from the runner so the table logic is tested on toy records
(``tests/benchmarks/test_zero_shot_real_table.py``) without training anything.

A record is one (row, method, seed): ``zsl`` (protocol 1: unseen candidates only)
and ``gzsl`` (all candidates; protocol 2: the held-out dataset's classes) each hold
``accuracy``, ``chance`` and, where both kinds of class are tested, ``seen``,
``unseen``, ``harmonic``; ``spread`` holds the mean score std across clips and
across candidates; ``confusion`` the labels, columns and counts of the main
evaluation; ``train_s``/``eval_s`` the seconds it took here.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from skeletonllm.stats import mean_interval, wilson_interval

#: the paper's own figures (not comparable: NTU-60 training data, InternVL3-8B), printed beside ours
REFERENCES = [
    ("SkeletonLLM (paper, Table 1)", "NTU-60 55/5, unseen actions", "87.37"),
    ("SkeletonLLM (paper, Table 2)", "trained on NTU-60, tested on NW-UCLA", "60.38"),
    ("TDSM (as cited by the paper, Table 2)", "trained on NTU-60, tested on NW-UCLA", "43.19"),
]


def cell(values: list[float | None], clips: int | None = None) -> str:
    """``mean +- half-width`` in %, over seeds; ``-`` when nothing was measured.

    A single seed has no spread over seeds: with the number of test ``clips`` it gets the
    95 % Wilson interval over clips instead (``value [low, high]``), else the value alone.
    """
    got = [v for v in values if v is not None and not math.isnan(v)]
    if not got:
        return "-"
    interval = mean_interval(got)
    if len(got) < 2:
        if clips:
            w = wilson_interval(round(got[0] * clips), clips)
            return f"{100 * w.value:.1f} [{100 * w.low:.1f}, {100 * w.high:.1f}]"
        return f"{100 * interval.value:.1f}"
    return f"{100 * interval.value:.1f} +- {100 * (interval.high - interval.value):.1f}"


def grouped(records: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        out[(r["row"], r["method"])].append(r)
    return out


def chance_cell(rs: list[dict], part: str) -> str:
    chances = {round(r[part]["chance"], 4) for r in rs if r.get(part)}
    return "/".join(f"{100 * c:.1f}" for c in sorted(chances)) or "-"


def _minutes(rs: list[dict]) -> str:
    seconds = [r.get("train_s", 0.0) + r.get("eval_s", 0.0) for r in rs]
    return f"{np.mean(seconds) / 60:.1f}"


def accuracy_table(records: list[dict], rows: dict, methods: list[str], protocol: int) -> str:
    """One line per (row, method): the figures of that protocol, mean +- t-interval over seeds, and chance."""
    if protocol == 1:
        head = "| row | method | seeds | unseen (ZSL) | seen (GZSL) | unseen (GZSL) | H | chance ZSL / GZSL | min/run |"
    else:
        head = "| row | method | seeds | accuracy | seen names | unseen names | H | chance | min/run |"
    lines = [head, "|" + "---|" * 9]
    groups = grouped(records)
    for key, row in rows.items():
        if row.protocol != protocol:
            continue
        for method in methods:
            rs = groups.get((key, method))
            if not rs:
                continue
            g = [r.get("gzsl") or {} for r in rs]
            seen, unseen, harmonic = ([x.get(k) for x in g] for k in ("seen", "unseen", "harmonic"))
            if protocol == 1:
                main = cell([r["zsl"]["accuracy"] for r in rs if r.get("zsl")], rs[0].get("zsl", {}).get("clips"))
                chance = f"{chance_cell(rs, 'zsl')} / {chance_cell(rs, 'gzsl')}"
            else:
                main = cell([x.get("accuracy") for x in g], g[0].get("clips"))
                chance = chance_cell(rs, "gzsl")
            lines.append(
                f"| {row.title} | {method} | {len(rs)} | {main} | {cell(seen)} | {cell(unseen)} | {cell(harmonic)} "
                f"| {chance} | {_minutes(rs)} |"
            )
        ran = [r for m in methods for r in groups.get((key, m), [])]
        if ran:
            lines.append(chance_line(row.title, ran, protocol))
    return "\n".join(lines)


def chance_line(title: str, rs: list[dict], protocol: int) -> str:
    """Chance as a row: 1 / candidates for every figure (a uniform guess over the candidates asked)."""
    gzsl = [r["gzsl"]["chance"] for r in rs if r.get("gzsl")]
    g = f"{100 * float(np.mean(gzsl)):.1f}" if gzsl else "-"
    if protocol == 1:
        zsl = [r["zsl"]["chance"] for r in rs if r.get("zsl")]
        z = f"{100 * float(np.mean(zsl)):.1f}" if zsl else "-"
        return f"| {title} | **chance** | | {z} | {g} | {g} | {g} | | |"
    return f"| {title} | **chance** | | {g} | {g} | {g} | {g} | | |"


def spread_table(records: list[dict], rows: dict, methods: list[str]) -> str:
    """Does the clip move the scores? Mean std across clips (per candidate) vs across candidates (per clip)."""
    lines = [
        "| row | method | seeds | std across clips | std across candidates | ratio | top-scored, all | "
        "top-scored, unseen among unseen |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups = grouped(records)
    for key, row in rows.items():
        for method in methods:
            rs = [r for r in groups.get((key, method), []) if r.get("spread")]
            if not rs:
                continue
            clips = float(np.mean([r["spread"]["clips"] for r in rs]))
            candidates = float(np.mean([r["spread"]["candidates"] for r in rs]))
            ratio = clips / candidates if candidates > 0 else math.inf
            top = cell([r.get("ranked", {}).get("all") for r in rs])
            top_zsl = cell([r.get("ranked", {}).get("zsl") for r in rs])
            lines.append(
                f"| {row.title} | {method} | {len(rs)} | {clips:.4f} | {candidates:.4f} | {ratio:.3f} | {top} "
                f"| {top_zsl} |"
            )
    return "\n".join(lines)


def confusion_block(records: list[dict], rows: dict, methods: list[str]) -> str:
    """Per (row, method): the confusion matrix of the main evaluation, counts summed over seeds."""
    out = []
    groups = grouped(records)
    for key, row in rows.items():
        for method in methods:
            rs = [r for r in groups.get((key, method), []) if r.get("confusion")]
            if not rs:
                continue
            labels, columns = rs[0]["confusion"]["labels"], rs[0]["confusion"]["columns"]
            total = np.zeros((len(labels), len(columns)), dtype=int)
            for r in rs:
                if r["confusion"]["labels"] == labels and r["confusion"]["columns"] == columns:
                    total += np.asarray(r["confusion"]["matrix"], dtype=int)
            out.append(f"**{row.title}, {method}** ({len(rs)} seed(s) summed; rows: true class, columns: answer)\n")
            out.append("| true \\ answer | " + " | ".join(_short(c) for c in columns) + " |")
            out.append("|---|" + "---|" * len(columns))
            out += [f"| {_short(lab)} | " + " | ".join(str(v) for v in total[i]) + " |" for i, lab in enumerate(labels)]
            out.append("")
    return "\n".join(out)


def _short(name: str, width: int = 18) -> str:
    name = name.replace("|", "/")
    return name if len(name) <= width else name[: width - 1] + "~"


BUDGET = "not run (the time this invocation was given)"


def not_run(records: list[dict], rows: dict, methods: list[str], reasons: dict[str, str]) -> str:
    """Every planned (row, method) without a record, methods grouped by reason (their own, else the budget)."""
    done = {(r["row"], r["method"]) for r in records}
    lines = []
    for key, row in rows.items():
        by_reason: dict[str, list[str]] = defaultdict(list)
        for m in methods:
            if (key, m) not in done:
                by_reason[reasons.get(m, BUDGET)].append(m)
        if len(by_reason.get(BUDGET, [])) == len(methods):
            lines.append(f"- {row.title}: every method, {BUDGET}")
        elif by_reason:
            lines.append(f"- {row.title}: " + "; ".join(f"{', '.join(ms)}: {why}" for why, ms in by_reason.items()))
    return "\n".join(lines) or "- none"


def references() -> str:
    lines = ["| reference (not comparable: other training data and model) | setting | accuracy % |", "|---|---|---|"]
    lines += [f"| {who} | {what} | {value} |" for who, what, value in REFERENCES]
    return "\n".join(lines)


def spread(scores: np.ndarray) -> dict[str, float]:
    """Mean std of an ``(N clips, K candidates)`` score matrix across clips and across candidates."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[0] < 2 or scores.shape[1] < 2:
        return {"clips": math.nan, "candidates": math.nan}
    return {"clips": float(scores.std(0).mean()), "candidates": float(scores.std(1).mean())}
