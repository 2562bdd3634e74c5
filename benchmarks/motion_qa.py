"""Motion QA on SynthAct: four-option accuracy per question kind, against chance and a text-only prior.

    python benchmarks/motion_qa.py [--spec docs/specs/motion_qa_synthact.yaml] [--seeds 0,1,2]
        [--scale F] [--threads N] [--out benchmarks/results]

Each seed trains the spec's ``motion_qa`` stage and asks the held-out clips (other performers)
their questions. Beside the model stands the **text-only prior**: for every test question it
picks the option most often correct for that question text over the training clips, without
looking at the clip. Four options make chance 0.25, but question wording and option sets are
not uniform (a jump is asked why the body leaves the ground, and the answer is always the same
sentence), so the prior, not chance, is the bar the frames must beat. Cells are means over
seeds with a 95 % Student-t interval over seeds; per-seed clip-bootstrap intervals go to JSON.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.stats import bootstrap_interval, mean_interval
from skeletonllm.tasks import TaskExample, normalise
from skeletonllm.threads import configure_threads
from skeletonllm.training import Trainer
from skeletonllm_training.motion_qa import QA_KINDS

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from ablation_common import shown_path  # noqa: E402


def text_prior(pipeline: Pipeline, stage) -> dict[str, Counter]:
    """Question text -> how often each option was the answer, over the training clips."""
    prior: dict[str, Counter] = defaultdict(Counter)
    for sample in pipeline.train_samples():
        for example in stage.questions(pipeline.clip_context(sample, sample.load())):
            prior[example.question][normalise(example.answer or "")] += 1
    return prior


def prior_answer(example: TaskExample, prior: dict[str, Counter]) -> str:
    counts = prior.get(example.question or "", Counter())
    return max(example.candidates, key=lambda c: counts[normalise(c)])  # ties: the first option shown


def run(base: dict, seed: int, scale: float | None, out: Path) -> dict:
    spec = copy.deepcopy(base)
    spec["data"]["seed"] = spec["optim"]["seed"] = seed
    for key, value in spec["backbone"].items():  # e.g. one pretrained tower per seed: "/towers/mini56-seed{seed}"
        if isinstance(value, str) and "{seed}" in value:
            spec["backbone"][key] = value.format(seed=seed)
    spec["output_dir"] = str(out / "runs" / "motion_qa" / f"s{seed}")
    if scale:
        for stage in spec["stages"]:
            stage["max_steps"] = max(1, round(stage.get("max_steps", 1) * scale))
    pipeline = Pipeline(validate_spec(spec))
    start = time.time()
    history = Trainer(pipeline, show_progress=False).fit(resume=False)  # prepares the stage (class profiles)
    train_s = time.time() - start
    stage = next(s for s in pipeline.stages if s.name == "motion_qa")
    predictions = [p for p in pipeline.predict(show_progress=False) if p.example.candidates]
    prior = text_prior(pipeline, stage)
    row: dict = {"seed": seed, "train_s": round(train_s, 1), "loss_first": history[0]["loss_first"],
                 "loss_last": history[-1]["loss_last"]}  # fmt: skip
    for kind in ("all", *QA_KINDS):
        chosen = [p for p in predictions if kind == "all" or p.example.meta.get("qa_kind") == kind]
        model = [float(bool(p.correct)) for p in chosen]
        baseline = [float(normalise(prior_answer(p.example, prior)) == normalise(p.example.answer)) for p in chosen]
        row[kind] = {
            "model": bootstrap_interval(model, seed=seed).as_dict(),
            "text_prior": bootstrap_interval(baseline, seed=seed).as_dict(),
        }
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| kind | model (mean [95 % CI over seeds]) | text-only prior | chance | questions per seed |",
        "|---|---|---|---|---|",
    ]
    for kind in ("all", *QA_KINDS):
        model = mean_interval([r[kind]["model"]["value"] for r in rows if r[kind]["model"]["n"]])
        prior = mean_interval([r[kind]["text_prior"]["value"] for r in rows if r[kind]["text_prior"]["n"]])
        count = "/".join(str(r[kind]["model"]["n"]) for r in rows)
        lines.append(f"| {kind} | {model} | {prior} | 0.250 | {count} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "docs" / "specs" / "motion_qa_synthact.yaml")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--scale", type=float, default=None, help="multiply the stage's max_steps (0.1: quick)")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--backbone", action="append", default=[], metavar="KEY=VALUE",
        help="override a backbone option (YAML value), e.g. --backbone vision_init=pretrained; repeatable",
    )  # fmt: skip
    args = parser.parse_args()
    choice = configure_threads(args.threads)
    print(choice.describe(), file=sys.stderr)
    args.threads = choice.count  # the count used, for the printed command
    base = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    for item in args.backbone:
        key, _, value = item.partition("=")
        base["backbone"][key] = yaml.safe_load(value)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for seed in (int(s) for s in args.seeds.split(",")):
        print(f"== seed {seed}", flush=True)
        rows.append(run(base, seed, args.scale, args.out))
        print(json.dumps(rows[-1]), flush=True)
        spec = shown_path(args.spec)
        flags = (("spec", spec), ("seeds", args.seeds), ("scale", args.scale), ("threads", args.threads))
        flags += tuple(("backbone", b) for b in args.backbone)
        command = " ".join(["python benchmarks/motion_qa.py", *(f"--{k} {v}" for k, v in flags if v)])
        backbone = "the spec's backbone" + (
            f" with {', '.join(args.backbone)}" if args.backbone else ", randomly initialised"
        )
        text = f"Command: `{command}`\n\nSynthAct (procedural), {backbone}, CPU.\n\n{table(rows)}\n"
        (args.out / "motion_qa.md").write_text(text, encoding="utf-8")
        (args.out / "motion_qa.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(table(rows))
    print(f"wrote {args.out / 'motion_qa.md'} and {args.out / 'motion_qa.json'}")


if __name__ == "__main__":
    main()
