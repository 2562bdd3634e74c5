"""Zero-shot on real recordings: unseen actions within a dataset, and unseen datasets, method by method.

Two protocols, every method a pipeline spec (``zero_shot_real_plan.py``): the
pipeline trains it (``Trainer``) and evaluates it through the one
evaluate-and-report path (``skeletonllm.evaluation.evaluate_with_report``: a report
folder per evaluation, with its confusion PNG, under ``--runs``). This script adds
what a comparison needs across runs: 3 seeds and Student-t intervals, chance, the
time each run took here, seen / unseen / harmonic mean where both are tested, the
spread of candidate scores across clips against across candidates (does the clip
move the answer?), a confusion matrix per row and method summed over seeds, the
rows not run, and the paper's own figures as labelled references.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/zero_shot_real.py --data-root /work/data
    python benchmarks/zero_shot_real.py --rows nw_ucla_8_2 --methods describe_match --seeds 0   # a quick look

Rows default to the issue's first budget (NW-UCLA 8/2; NW-UCLA and MSR Action3D as
the unseen datasets), methods to those that run in minutes on a CPU. Results:
``benchmarks/results/zero_shot_real.json`` (rewritten after every run; an
interrupted invocation resumes) and ``zero_shot_real.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

import numpy as np
import torch
from ablation_common import shown_path
from zero_shot_real_plan import CHEAP, FIRST, METHODS, ROWS, Method, Row, build_spec
from zero_shot_real_table import (
    accuracy_table,
    confusion_block,
    not_run,
    references,
    spread,
    spread_table,
)

from skeletonllm.evaluation import evaluate_with_report
from skeletonllm.pipeline import Pipeline
from skeletonllm.registry import get_registry
from skeletonllm.spec import validate_spec
from skeletonllm.tasks import normalise
from skeletonllm.threads import configure_threads
from skeletonllm.training import Trainer

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
UNPARSED = "(no label)"

# ---- loading each clip once per process -----------------------------------------------------------
_LOADED: dict[tuple[str, str], object] = {}


def _load_once(key: tuple[str, str], load):
    if key not in _LOADED:
        _LOADED[key] = load()
    return _LOADED[key]


class LoadOnce:
    """A dataset whose clips are read from disk once per process (every method and seed reuses them).

    MSRC-12 windows and HDM05 files take 0.16 s each to read here; a run draws thousands.
    """

    def __init__(self, inner) -> None:
        self.inner = inner
        self.key = json.dumps({"name": inner.name, **inner.options.model_dump(mode="json")}, sort_keys=True)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def samples(self, split: str, classes: set[int] | None = None):
        for sample in self.inner.samples(split, classes):
            yield replace(sample, load=partial(_load_once, (self.key, sample.id), sample.load))


def load_once(pipeline: Pipeline) -> None:
    same = pipeline.test_dataset is pipeline.dataset
    pipeline.dataset = LoadOnce(pipeline.dataset)
    pipeline.test_dataset = pipeline.dataset if same else LoadOnce(pipeline.test_dataset)


# ---- one run -----------------------------------------------------------------------------------------
@torch.no_grad()
def score_matrix(pipeline: Pipeline, limit: int) -> tuple[np.ndarray, list[int], list[int]]:
    """``(clips, candidates)`` scores on up to ``limit`` test clips (spread evenly), all test classes as candidates.

    The scores each model ranks by: cosine for the aligners, the similarity of words for
    describe_match, the summed answer log-likelihood for a generative backbone. Also the
    scored clips' classes and the candidates' classes (column order), for :func:`ranked`.
    """
    classes = pipeline.candidates()
    names = [pipeline.test_class_names[c] for c in classes]
    samples = pipeline.test_samples()
    samples = samples[:: max(1, len(samples) // limit)][:limit]
    _, template = pipeline.test_question(candidates=names)
    backbone = pipeline.backbone.eval()
    rows = []
    for start in range(0, len(samples), 16):
        sequences = [s.load() for s in samples[start : start + 16]]
        inputs = pipeline.render_sequences(sequences, train=False)
        if hasattr(backbone, "candidate_scores"):
            examples = [replace(template, meta={"sequence": seq}) for seq in sequences]
            rows.append(backbone.candidate_scores(inputs, examples))
        elif hasattr(backbone, "answer_log_likelihoods"):
            rows.append(backbone.answer_log_likelihoods(inputs, template, names))
        else:  # clip_align
            rows.append(backbone.clip_embeddings(inputs) @ backbone.text(names).T)
    return torch.cat(rows).float().cpu().numpy(), [s.label for s in samples], classes


def ranked(scores: np.ndarray, labels: list[int], classes: list[int], unseen: list[int]) -> dict:
    """Accuracy of the top-scored candidate on the scored clips: every class a candidate (``all``), and,
    with a class split, the unseen clips among the unseen candidates only (``zsl``).

    For a generative backbone this is the reading of ``zero_shot.md``'s SynthAct protocol (candidates
    ranked by answer log-likelihood, so every answer is a candidate), beside the generated answer.
    """
    column = {c: j for j, c in enumerate(classes)}
    truth = np.asarray([column.get(label, -1) for label in labels])
    out = {"all": float(np.mean(scores.argmax(1) == truth)), "clips": len(labels)}
    if unseen:
        cols = [column[c] for c in unseen if c in column]
        rows = np.isin(truth, cols)
        if rows.any():
            picked = np.asarray(cols)[scores[rows][:, cols].argmax(1)]
            out.update(zsl=float(np.mean(picked == truth[rows])), zsl_clips=int(rows.sum()), zsl_chance=1 / len(cols))
    return out


def confusion(report_dir: Path) -> dict:
    """Labels, columns and counts from a report's ``predictions.jsonl`` (true class x parsed answer)."""
    lines = (report_dir / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    preds = [json.loads(line) for line in lines if line.strip()]
    labels = sorted({normalise(p["answer"]) for p in preds if p.get("answer")})
    candidates = sorted({normalise(c) for p in preds for c in p["candidates"]} | set(labels))
    others = sorted({p["parsed"] for p in preds if p["parsed"]} - set(candidates))
    columns = [*candidates, *others, UNPARSED]
    matrix = np.zeros((len(labels), len(columns)), dtype=int)
    for p in preds:
        if p.get("answer"):
            matrix[labels.index(normalise(p["answer"])), columns.index(p["parsed"] or UNPARSED)] += 1
    return {"labels": labels, "columns": columns, "matrix": matrix.tolist()}


def answered(report_dir: Path) -> int:
    """Test clips scored in a report (its ``predictions.jsonl`` lines with a true answer)."""
    lines = (report_dir / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line.strip() and json.loads(line).get("answer"))


def figures(metrics: dict, chance: float, report_dir: Path) -> dict:
    out = {"accuracy": metrics.get("accuracy"), "chance": chance, "clips": answered(report_dir)}
    for key, name in (("seen_accuracy", "seen"), ("unseen_accuracy", "unseen"), ("harmonic_mean", "harmonic")):
        if key in metrics:
            out[name] = metrics[key]
    return out


def run_one(row: Row, method: Method, seed: int, args) -> dict:
    out = args.runs / row.key / method.name / f"seed{seed}"
    shutil.rmtree(out, ignore_errors=True)  # a fresh run: a stale checkpoint of another recipe must not resume
    spec = build_spec(row, method, seed, args.data_root, out, "unseen" if row.protocol == 1 else "all", args.tower)
    torch.manual_seed(seed)
    pipeline = Pipeline(validate_spec(spec))
    load_once(pipeline)
    start = time.time()
    history = Trainer(pipeline, show_progress=False).fit(resume=False) if method.stages else []
    train_s = time.time() - start
    record = {"row": row.key, "protocol": row.protocol, "method": method.name, "seed": seed, "recipe": recipe(method)}
    if "vision_init" in spec["backbone"]:
        record["tower"] = spec["backbone"]["vision_init"]
    name = f"{row.key}/{method.name}/seed{seed}"
    if row.protocol == 1:
        metrics, _ = evaluate_with_report(pipeline, spec=name, out=out / "eval_zsl", show_progress=False)
        record["zsl"] = figures(metrics, 1 / len(pipeline.unseen), out / "eval_zsl")
        record["confusion"] = confusion(out / "eval_zsl")
        pipeline.cfg.eval.candidates = "all"  # the same trained model, every class a candidate (GZSL)
    metrics, _ = evaluate_with_report(pipeline, spec=name, out=out / "eval_all", show_progress=False)
    record["gzsl"] = figures(metrics, 1 / len(pipeline.candidates()), out / "eval_all")
    if row.protocol == 2:
        record["confusion"] = confusion(out / "eval_all")
    scores, labels, classes = score_matrix(pipeline, args.score_clips)
    record["spread"] = {**spread(scores), "scored": len(labels)}
    record["ranked"] = ranked(scores, labels, classes, pipeline.unseen if row.protocol == 1 else [])
    record.update(
        train_s=round(train_s, 1),
        eval_s=round(time.time() - start - train_s, 1),
        steps=sum(h["steps"] for h in history),
        loss_first=history[0]["loss_first"] if history else None,
        loss_last=history[-1]["loss_last"] if history else None,
        reports=str(out),
    )
    return record


def rescore(record: dict, args) -> None:
    """The spread and top-scored readout of a finished run, from its trained checkpoint (``last``)."""
    from skeletonllm.training import load_trained

    row, method = ROWS[record["row"]], METHODS[record["method"]]
    out = Path(record["reports"])
    spec = build_spec(row, method, record["seed"], args.data_root, out, "all", args.tower)
    pipeline = Pipeline(validate_spec(spec))
    if method.stages:
        load_trained(pipeline, out / "last")
    load_once(pipeline)
    start = time.time()
    scores, labels, classes = score_matrix(pipeline, args.score_clips)
    record["spread"] = {**spread(scores), "scored": len(labels)}
    record["ranked"] = ranked(scores, labels, classes, pipeline.unseen if row.protocol == 1 else [])
    record["rescore_s"] = round(time.time() - start, 1)


def recipe(method: Method) -> str:
    """What decides a method's result (its spec sections), to refuse resuming a run of another recipe."""
    return json.dumps({k: v for k, v in asdict(method).items() if k != "summary"}, sort_keys=True)


# ---- the invocation ------------------------------------------------------------------------------------
def unavailable(method: Method) -> str | None:
    """Why a method cannot run on this branch (a backbone option it needs does not exist), else None."""
    if method.needs is None:
        return None
    fields = get_registry().get("backbone", method.backbone["name"]).Options.model_fields
    return None if method.needs in fields else f"needs the backbone option {method.needs!r}, not on this branch"


def save(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = ",\n".join(json.dumps(r) for r in payload["records"])
    head = json.dumps({k: v for k, v in payload.items() if k != "records"})[:-1]
    path.write_text(f'{head}, "records": [\n{body}\n]}}\n', encoding="utf-8")


def report(payload: dict, methods: list[str], reasons: dict[str, str]) -> str:
    records = payload["records"]
    planned = {k: r for k, r in ROWS.items() if k in payload["config"]["rows"] or any(x["row"] == k for x in records)}
    shown = [m for m in METHODS if m in methods or any(x["method"] == m for x in records)]
    return "\n\n".join(
        [
            "# Zero-shot on real recordings (accuracy %, mean +- 95 % t-interval over seeds; "
            "one seed: [95 % Wilson interval over test clips] on the main figure)",
            f"`{payload['command']}`\n\nLoad average at the start: {payload['load_average']}; {payload['threads']}; "
            f"data: `{payload['config']['data_root']}`. Min/run: training plus both evaluations, on this machine."
            + (f" Records of {', '.join(f'`{p}`' for p in payload['also'])} included." if payload.get("also") else ""),
            "## Protocol 1: unseen actions within a dataset\n\nZSL: the unseen classes are the candidates; GZSL: "
            "every class is (seen = clips of seen classes, unseen = clips of unseen classes, H their harmonic mean).",
            accuracy_table(records, planned, shown, 1),
            "## Protocol 2: unseen datasets\n\nTrained on every other real dataset plus SynthAct; the held-out "
            "dataset's own class names are the candidates. Seen / unseen names: its clips whose class name does / "
            "does not also name a training class.",
            accuracy_table(records, planned, shown, 2),
            "## The paper's figures, for reference\n\n" + references(),
            "## Does the clip move the scores?\n\nStd of each candidate's score across test clips (mean over "
            "candidates) against the std across candidates for one clip (mean over clips); all test classes are "
            "the candidates. A model answering from the names alone has a first column near 0. Top-scored: "
            "accuracy of the highest-scored candidate on the same clips (a generative model's answer "
            "log-likelihoods ranked, as in zero_shot.md's SynthAct protocol), all classes, and the unseen "
            "clips among the unseen candidates.",
            spread_table(records, planned, shown),
            "## Not run\n\nEvery row and method of the plan (`zero_shot_real_plan.py`) without a result.\n\n"
            + not_run(records, ROWS, list(METHODS), reasons),
            "## Confusion matrices (ZSL for protocol 1; the held-out dataset for protocol 2)\n\n"
            + confusion_block(records, planned, shown),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=Path(os.environ.get("SKELETONLLM_DATA", "/work/data")))
    parser.add_argument("--rows", nargs="+", default=FIRST, choices=list(ROWS))
    parser.add_argument("--methods", nargs="+", default=CHEAP, choices=list(METHODS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--score-clips", type=int, default=120, help="test clips scored for the spread table")
    parser.add_argument(
        "--tower",
        default="pretrained",
        help="the tower methods' pretrained vision tower: 'pretrained' (the cache) or a folder; {seed} is the seed",
    )
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="no new runs: give finished runs of --rows/--methods without a top-scored readout one, "
        "from their checkpoints (--score-clips clips)",
    )
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the thread policy)")
    parser.add_argument("--runs", type=Path, default=REPO / "runs" / "zero_shot_real", help="report folders")
    parser.add_argument("--out", type=Path, default=RESULTS / "zero_shot_real.json")
    parser.add_argument(
        "--also",
        type=Path,
        nargs="*",
        default=[],
        help="result files of other invocations (e.g. run in parallel) "
        "whose records join this report; the runs they hold are not repeated",
    )
    args = parser.parse_args(argv)
    choice = configure_threads(args.threads)
    print(choice.describe(), file=sys.stderr)
    shown = " ".join(sys.argv[1:] if argv is None else argv)
    payload = {
        "command": f"OMP_NUM_THREADS=1 nice -n 10 python benchmarks/zero_shot_real.py {shown}".strip(),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "threads": choice.describe(),
        "config": {"rows": args.rows, "methods": args.methods, "seeds": args.seeds, "data_root": str(args.data_root)},
        "records": [],
    }
    if args.out.is_file():  # resume: keep every finished run whose recipe is unchanged
        saved = json.loads(args.out.read_text(encoding="utf-8"))["records"]
        payload["records"] = [
            r for r in saved if r["method"] in METHODS and r["recipe"] == recipe(METHODS[r["method"]])
        ]
    reasons = {m: why for m in METHODS if (why := unavailable(METHODS[m]))}
    others = [r for path in args.also for r in json.loads(path.read_text(encoding="utf-8"))["records"]]
    done = {(r["row"], r["method"], r["seed"]) for r in payload["records"] + others}
    todo = []
    for key in args.rows:
        for name in args.methods:
            seeds = args.seeds[:1] if METHODS[name].deterministic else args.seeds
            todo += [(key, name, s) for s in seeds if (key, name, s) not in done and name not in reasons]
    if args.rescore:
        for record in payload["records"]:
            if "ranked" not in record and record["method"] in args.methods and record["row"] in args.rows:
                print(f"rescoring {record['row']} | {record['method']} | seed {record['seed']}", flush=True)
                rescore(record, args)
                save(args.out, payload)
        todo = []
    for i, (key, name, seed) in enumerate(todo, 1):
        print(f"[{i}/{len(todo)}] {ROWS[key].title} | {name} | seed {seed}", flush=True)
        record = run_one(ROWS[key], METHODS[name], seed, args)
        payload["records"].append(record)
        main_figure = (record.get("zsl") or record["gzsl"])["accuracy"]
        print(
            f"  accuracy {main_figure:.3f}  gzsl {record['gzsl']}  spread {record['spread']}  "
            f"({record['train_s']:.0f} s + {record['eval_s']:.0f} s)",
            flush=True,
        )
        save(args.out, payload)
    save(args.out, payload)
    payload["also"] = [str(shown_path(p)) for p in args.also]
    text = report({**payload, "records": payload["records"] + others}, args.methods, reasons)
    args.out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
