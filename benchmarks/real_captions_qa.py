"""Captions and Motion QA on real recordings: Bandai-Namco (held-out takes), SBU, MSRC-12, with label captions.

    python benchmarks/real_captions_qa.py --data bandai [--data-root /work/data] [--preset tiny|smol]
        [--seeds 0,1,2] [--train-per-pair 2] [--test-per-pair 1] [--caption-steps N] [--qa-steps N]
        [--frames 4] [--size 56] [--threads 1] [--out benchmarks/results]

For the chosen dataset (a fixed subset: ``real_subsets.py``; the captions and facts come from
the labels, ``skeletonllm_datasets.label_captions``):

1. a text-motion evaluator is trained on the training side's captions (``--evaluator-per-pair``
   clips of every pair) and its own held-out R@1 / R@3 are printed (chance 1/32, 3/32);
2. per seed, the caption stage trains the model and the test clips are captioned and scored
   (BLEU@4, ROUGE-L, CIDEr-D, BERTScore with the local MiniLM, R@1 / R@3 / MM-Dist, distinct
   captions, the caption fact check); the most common training caption is scored beside it on
   the same examples; distinct captions are counted over test subsets with more and more label
   pairs;
3. per seed, the ``motion_qa`` stage trains on the paper's four kinds and the dataset's label kinds
   (Bandai: which hand, which way it turns, which style; SBU: closer or apart; MSRC-12: how many
   times), and every test question is answered; the text-only prior (``motion_qa_prior``) answers
   the same questions from the training clips' answer counts.

Cells are means over seeds with a 95 % Student-t interval over seeds; per-seed Wilson intervals
are in the JSON. The load average is printed before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.stats import mean_interval, proportion
from skeletonllm.tasks import Prediction, normalise
from skeletonllm.threads import configure_threads
from skeletonllm.training import Trainer
from skeletonllm_training.motion_qa import QA_KINDS
from skeletonllm_training.motion_qa_prior import prior_hits, text_prior
from skeletonllm_training.text_motion.train import TrainSettings, collect_clips, measure, train_evaluator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from real_subsets import SETUPS, build, pair_of, pick, spec_data  # noqa: E402

LABEL_KINDS = {"bandai": ["which_hand", "turn_direction", "style"], "bandai1": ["style"]}
LABEL_KINDS.update(sbu=["distance_change"], msrc12=["gesture_count"])
CAPTION_FIGURES = ("bleu_4", "rouge_l", "cider", "bertscore_f1_minilm", "r_at_1", "r_at_3", "mm_dist")
FACT_FIGURES = ("distinct_captions", "fact_check_agreement", "fact_check_checked")
GROUPS = {
    "tiny": ["renderer", "projector", "lora", "llm", "vision"],
    "smol": ["renderer", "vision", "projector", "lora"],
}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def spec_for(args, stage: dict, evaluation: dict, seed: int, name: str) -> dict:  # noqa: ANN001
    _, _, protocol = SETUPS[args.data]
    backbone = {"name": "internvl3", "preset": args.preset}
    if args.preset == "tiny":
        backbone["max_length"] = 1024
    for item in args.backbone:  # e.g. tower_size=mini, vision_init=/tmp/towers/mini56-seed{seed}
        key, _, value = item.partition("=")
        value = yaml.safe_load(value)
        backbone[key] = value.format(seed=seed) if isinstance(value, str) else value
    return {
        "data": spec_data(args.data, args.data_root),
        "renderer": {"name": "draction", "frames": args.frames, "size": args.size},
        "backbone": backbone,
        "stages": [{**stage, "train": GROUPS[args.preset]}],
        "split": {"train": f"{protocol}/train", "test": f"{protocol}/test"},
        "optim": {"lr": args.lr, "batch_size": args.batch, "warmup_steps": 20, "save_every": 10**6, "seed": seed},
        "eval": evaluation,
        "output_dir": str(args.out / "runs" / f"real_{args.data}_{args.preset}" / f"{name}_s{seed}"),
    }


def trained(spec: dict, subset) -> tuple[Pipeline, list[dict], float]:  # noqa: ANN001
    pipeline = Pipeline(validate_spec(spec))
    pipeline.dataset = pipeline.test_dataset = subset
    start = time.time()
    history = Trainer(pipeline, show_progress=False).fit(resume=False)
    return pipeline, history, time.time() - start


def figures(results: dict) -> tuple[dict, dict]:
    """Values and per-seed intervals of every metric result."""
    values, intervals = {}, {}
    for result in results.values():
        values.update(result.values)
        intervals.update({k: iv.as_dict() for k, iv in result.intervals.items()})
    return values, intervals


def distinct_by_pairs(predictions: list[Prediction], subset, steps: list[int]) -> list[dict]:  # noqa: ANN001
    """Distinct generated captions over the test clips of the first k label pairs (pairs in name order)."""
    pair = {s.id: pair_of(s, subset.class_names) for s in subset.parts["test"]}
    pairs = sorted(set(pair.values()))
    out = []
    for k in [k for k in steps if k < len(pairs)] + [len(pairs)]:
        chosen = set(pairs[:k])
        outputs = [normalise(p.output) for p in predictions if pair[p.sample_id] in chosen]
        out.append({"pairs": k, "clips": len(outputs), "distinct": len(set(outputs))})
    return out


def caption_run(args, subset, seed: int, evaluator: Path) -> dict:  # noqa: ANN001
    metrics = ["captioning", {"name": "text_motion", "evaluator": str(evaluator)}]
    evaluation = {"task": "caption", "max_new_tokens": args.caption_tokens, "metrics": metrics}
    stage = {"name": "caption", "max_steps": args.caption_steps}
    pipeline, history, train_s = trained(spec_for(args, stage, evaluation, seed, "caption"), subset)
    start = time.time()
    predictions = pipeline.predict(show_progress=False)
    model, model_iv = figures(pipeline.results(predictions))
    eval_s = time.time() - start
    counts = Counter(r for s in subset.parts["train"] for r in s.meta["references"])
    constant = counts.most_common(1)[0][0]
    baseline, _ = figures(pipeline.results([Prediction(p.example, constant, p.sample_id) for p in predictions]))
    examples = [
        (p.sample_id, p.output.strip(), p.example.references[0]) for p in predictions[:: max(1, len(predictions) // 6)]
    ]
    return {
        "seed": seed,
        "train_s": round(train_s, 1),
        "eval_s": round(eval_s, 1),
        "loss": [history[-1]["loss_first"], history[-1]["loss_last"]],
        "model": model,
        "model_intervals": model_iv,
        "baseline": baseline,
        "constant": constant,
        "distinct_by_pairs": distinct_by_pairs(predictions, subset, args.pair_steps),
        "examples": examples,
    }


def qa_run(args, subset, seed: int) -> dict:  # noqa: ANN001
    kinds = args.qa_kinds or [*QA_KINDS, *LABEL_KINDS[args.data]]
    evaluation = {"task": "qa", "max_new_tokens": args.qa_tokens, "metrics": [{"name": "motion_qa"}]}
    stage = {"name": "motion_qa", "max_steps": args.qa_steps, "per_clip": 2, "kinds": kinds}
    pipeline, history, train_s = trained(spec_for(args, stage, evaluation, seed, "qa"), subset)
    start = time.time()
    predictions = [p for p in pipeline.predict(show_progress=False) if p.example.candidates]
    eval_s = time.time() - start
    stage = pipeline.stages[0]
    train_examples = [e for s in subset.parts["train"] for e in stage.questions(pipeline.clip_context(s, s.load()))]
    prior = prior_hits(text_prior(train_examples), [p.example for p in predictions])
    row = {"seed": seed, "train_s": round(train_s, 1), "eval_s": round(eval_s, 1)}
    row["loss"] = [history[-1]["loss_first"], history[-1]["loss_last"]]
    for kind in ("all", *kinds):
        chosen = [p for p in predictions if kind == "all" or p.example.meta.get("qa_kind") == kind]
        hits = prior.get(kind, []) if kind != "all" else [h for v in prior.values() for h in v]
        row[kind] = {
            "model": proportion([bool(p.correct) for p in chosen]).as_dict(),
            "text_prior": proportion(hits).as_dict(),
            "chance": sum(1 / len(p.example.candidates) for p in chosen) / len(chosen) if chosen else float("nan"),
        }
    answers = Counter((p.example.meta.get("qa_kind"), normalise(p.output)) for p in predictions)
    row["frequent_outputs"] = [[k, o, n] for (k, o), n in answers.most_common(8)]
    return row


def evaluator_for(args, subset) -> tuple[Path, dict]:  # noqa: ANN001
    folder = args.out / "runs" / f"real_{args.data}_evaluator_{args.evaluator_per_pair}"
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return folder, json.loads(manifest.read_text())["info"]["held_out"]
    train = pick(subset.base.samples(f"{subset.protocol}/train"), subset.class_names, args.evaluator_per_pair)
    clips = collect_clips(train, progress=False, what="train")
    evaluator = train_evaluator(clips, TrainSettings(epochs=args.evaluator_epochs, seed=0, progress=False))
    own = measure(evaluator, collect_clips(subset.parts["test"], progress=False, what="test"))
    evaluator.save(folder, {"held_out": own, "train_clips": len(clips.ids)})
    return folder, own


def cell(values: list[float]) -> str:
    values = [v for v in values if v == v]
    return str(mean_interval(values)) if values else "n/a"


def tables(args, evaluator: dict, captions: list[dict], qa: list[dict], subset) -> str:  # noqa: ANN001
    lines = [f"Dataset `{args.data}` ({subset.protocol}: {len(subset.parts['train'])} train clips, "
             f"{len(subset.parts['test'])} held-out test clips), preset `{args.preset}`"
             f"{' (' + ', '.join(args.backbone) + ')' if args.backbone else ''}, seeds {args.seeds}.", ""]  # fmt: skip
    if evaluator:
        lines.append(f"Text-motion evaluator on the test clips' first references: R@1 {evaluator['r1']:.3f} (chance 0.031), "
                     f"R@3 {evaluator['r3']:.3f} (chance 0.094), MM-Dist {evaluator['mm_dist']:.3f}.")  # fmt: skip
    if captions:
        keys = CAPTION_FIGURES + FACT_FIGURES + ("fact_check_agreement_references",)
        lines += ["", "| system | " + " | ".join(keys) + " |", "|" + "---|" * (len(keys) + 1)]
        lines.append(
            "| model | " + " | ".join(cell([r["model"].get(k, float("nan")) for r in captions]) for k in keys) + " |"
        )
        lines.append("| most common training caption | " + " | ".join(cell([r["baseline"].get(k, float("nan")) for r in captions]) for k in keys) + " |")  # fmt: skip
        steps = [d["pairs"] for d in captions[0]["distinct_by_pairs"]]
        lines += ["", "| label pairs in the test subset | clips | distinct captions (per seed) |", "|---|---|---|"]
        for i, k in enumerate(steps):
            per_seed = "/".join(str(r["distinct_by_pairs"][i]["distinct"]) for r in captions)
            lines.append(f"| {k} | {captions[0]['distinct_by_pairs'][i]['clips']} | {per_seed} |")
        cost = ", ".join(f"s{r['seed']}: train {r['train_s']:.0f} s, eval {r['eval_s']:.0f} s" for r in captions)
        lines += ["", f"Caption runs ({args.caption_steps} steps): {cost}."]
    if qa:
        kinds = [k for k in qa[0] if isinstance(qa[0][k], dict)]
        lines += ["", "| kind | model | text-only prior | chance | questions per seed |", "|---|---|---|---|---|"]
        for kind in kinds:
            model = cell([r[kind]["model"]["value"] for r in qa])
            prior = cell([r[kind]["text_prior"]["value"] for r in qa])
            count = "/".join(str(r[kind]["model"]["n"]) for r in qa)
            lines.append(f"| {kind} | {model} | {prior} | {qa[0][kind]['chance']:.3f} | {count} |")
        cost = ", ".join(f"s{r['seed']}: train {r['train_s']:.0f} s, eval {r['eval_s']:.0f} s" for r in qa)
        lines += ["", f"QA runs ({args.qa_steps} steps): {cost}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=sorted(SETUPS), default="bandai")
    parser.add_argument("--data-root", type=Path, default=Path(os.environ.get("SKELETONLLM_DATA", "/work/data")))
    parser.add_argument("--preset", choices=sorted(GROUPS), default="tiny")
    parser.add_argument(
        "--backbone", action="append", default=[], metavar="KEY=VALUE",
        help="override a backbone option (YAML value; '{seed}' is filled), e.g. --backbone vision_init=pretrained",
    )  # fmt: skip
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--train-per-pair", type=int, default=2)
    parser.add_argument("--test-per-pair", type=int, default=1)
    parser.add_argument("--evaluator-per-pair", type=int, default=8)
    parser.add_argument("--evaluator-epochs", type=int, default=60)
    parser.add_argument("--caption-steps", type=int, default=300)
    parser.add_argument("--qa-steps", type=int, default=300)
    parser.add_argument("--caption-tokens", type=int, default=96)
    parser.add_argument("--qa-tokens", type=int, default=24)
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--size", type=int, default=56)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--pair-steps", default="5,10,20,40", help="test subsets with this many label pairs")
    parser.add_argument("--only", choices=("captions", "qa"), default=None)
    parser.add_argument(
        "--qa-kinds", default="", help="comma-separated question kinds (default: the four + the data's)"
    )
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the thread policy)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--tag", default="", help="suffix of the result files")
    args = parser.parse_args()
    choice = configure_threads(args.threads)
    print(choice.describe(), file=sys.stderr)
    args.threads = choice.count
    args.pair_steps = [int(k) for k in args.pair_steps.split(",") if k]
    args.qa_kinds = [k for k in args.qa_kinds.split(",") if k]
    print(f"load average at start: {load()}", flush=True)
    start = time.time()
    subset = build(args.data, args.data_root, args.train_per_pair, args.test_per_pair)
    evaluator_dir, evaluator = evaluator_for(args, subset) if args.only != "qa" else (None, None)
    print(f"evaluator held-out: {json.dumps(evaluator)}", flush=True)
    stem = f"real_captions_qa_{args.data}_{args.preset}{args.tag}"
    captions, qa = [], []
    for seed in (int(s) for s in args.seeds.split(",")):
        if args.only != "qa":
            captions.append(caption_run(args, subset, seed, evaluator_dir))
            print(json.dumps({k: v for k, v in captions[-1].items() if k != "model_intervals"}), flush=True)
        if args.only != "captions":
            qa.append(qa_run(args, subset, seed))
            print(json.dumps(qa[-1]), flush=True)
        text = tables(args, evaluator, captions, qa, subset)
        flags = " ".join([*(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()
                           if k not in ("out", "data_root", "pair_steps", "backbone") and v not in (None, "", False, [])),
                          *(f"--backbone {b}" for b in args.backbone)])  # fmt: skip
        footer = f"\n\nCommand: `python benchmarks/real_captions_qa.py {flags}`; load average now {load()}, " \
                 f"{(time.time() - start) / 60:.0f} min so far.\n"  # fmt: skip
        (args.out / f"{stem}.md").write_text(text + footer, encoding="utf-8")
        (args.out / f"{stem}.json").write_text(json.dumps({"evaluator": evaluator, "captions": captions, "qa": qa},
                                                          indent=1, default=str), encoding="utf-8")  # fmt: skip
    print(text)
    print(f"load average at end: {load()}; {(time.time() - start) / 60:.1f} min; wrote {args.out / stem}.md/.json")


if __name__ == "__main__":
    main()
