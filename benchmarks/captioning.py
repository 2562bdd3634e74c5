"""Captioning on SynthAct: the tiny model's seven figures beside a trivial baseline's.

    python benchmarks/captioning.py [--spec docs/specs/caption_synthact.yaml] [--scale F]
        [--threads 1] [--out benchmarks/results]

1. Trains a text-motion evaluator (the HumanML3D protocol's motion and text encoders,
   trained contrastively) on the spec's training split and reports its own held-out R@1 /
   R@3 against chance (1/32, 3/32), so its retrieval figures can be trusted.
2. Trains the captioning spec and evaluates it with ``captioning`` (BLEU@4, ROUGE-L,
   CIDEr-D, BERTScore with the local MiniLM, *not* the paper's encoder) and ``text_motion``
   (R@1, R@3, MM-Dist under the evaluator of step 1), through ``skeletonllm.evaluation``:
   the report lands in ``OUT/captioning_report/``.
3. Scores the trivial baseline that answers every test clip with the most common training
   caption, with the same metrics on the same test examples.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import yaml

from skeletonllm.evaluation import evaluate_with_report
from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.stats import mean_interval
from skeletonllm.tasks import Prediction
from skeletonllm.threads import configure_threads
from skeletonllm.training import Trainer
from skeletonllm_training.text_motion.train import TrainSettings, collect_clips, measure, train_evaluator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from ablation_common import shown_path  # noqa: E402

FIGURES = ("bleu_4", "rouge_l", "cider", "bertscore_f1_minilm", "r_at_1", "r_at_3", "mm_dist")
#: does the caption say what the clip shows (caption_facts), and how many different captions
FACT_FIGURES = ("distinct_captions", "fact_agreement", "facts_stated", "fact_agreement_references")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "docs" / "specs" / "caption_synthact.yaml")
    parser.add_argument("--scale", type=float, default=None, help="multiply the stages' max_steps")
    parser.add_argument("--evaluator-epochs", type=int, default=60)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    parser.add_argument("--seeds", default="0", help="comma-separated optimiser seeds (initialisation, order)")
    parser.add_argument(
        "--backbone", action="append", default=[], metavar="KEY=VALUE",
        help="override a backbone option (YAML value; '{seed}' is filled), e.g. --backbone vision_init=pretrained",
    )  # fmt: skip
    args = parser.parse_args()
    choice = configure_threads(args.threads)
    print(choice.describe(), file=sys.stderr)
    args.threads = choice.count
    args.out.mkdir(parents=True, exist_ok=True)
    spec = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    for item in args.backbone:
        key, _, value = item.partition("=")
        spec["backbone"][key] = yaml.safe_load(value)
    spec["output_dir"] = str(args.out / "runs" / "captioning")
    if args.scale:
        for stage in spec["stages"]:
            stage["max_steps"] = max(1, round(stage.get("max_steps", 1) * args.scale))

    # 1. the text-motion evaluator, trained on the training split's captions only
    dataset = validate_spec(spec).build("data")
    train_clips = collect_clips(dataset.samples(spec["split"]["train"]), what="train")
    test_clips = collect_clips(dataset.samples(spec["split"]["test"]), what="test")
    settings = TrainSettings(epochs=args.evaluator_epochs, seed=0)
    evaluator = train_evaluator(train_clips, settings)
    own = measure(evaluator, test_clips)
    evaluator_dir = args.out / "runs" / "text_motion_evaluator"
    evaluator.save(evaluator_dir, {"held_out": own, "train_clips": len(train_clips.ids)})
    print(f"evaluator held-out: {json.dumps(own)}", flush=True)

    # 2. the captioning model, one run per seed
    spec["eval"]["metrics"] = ["captioning", {"name": "text_motion", "evaluator": str(evaluator_dir)}]
    runs, histories, train_s, report = [], [], [], None
    for seed in (int(x) for x in args.seeds.split(",")):
        seeded = {**spec, "optim": {**spec.get("optim", {}), "seed": seed}}
        seeded["backbone"] = {k: v.format(seed=seed) if isinstance(v, str) else v for k, v in spec["backbone"].items()}
        seeded["output_dir"] = str(args.out / "runs" / f"captioning-s{seed}")
        pipeline = Pipeline(validate_spec(seeded))
        start = time.time()
        histories.append(Trainer(pipeline).fit(resume=True))
        train_s.append(time.time() - start)
        metrics, report = evaluate_with_report(
            pipeline, spec=str(shown_path(args.spec)), checkpoint="trained in this run",
            out=args.out / f"captioning_report-s{seed}",
        )  # fmt: skip
        runs.append(metrics)
        print(f"seed {seed}: {json.dumps(metrics)}", flush=True)

    # 3. the trivial baseline: the most common training caption for every test clip
    captions = Counter(c for refs in train_clips.references for c in refs)
    constant = captions.most_common(1)[0][0]
    predictions = pipeline.predict(show_progress=False)
    baseline = pipeline.score([Prediction(replace(p.example), constant, p.sample_id) for p in predictions])

    def cell(values: list[float]) -> str:
        iv = mean_interval(values)
        return f"{iv.value:.3f}" if iv.n < 2 else f"{iv.value:.3f} [{iv.low:.3f}, {iv.high:.3f}]"

    columns = FIGURES + FACT_FIGURES
    head = "| system | seeds | " + " | ".join(columns) + " |"
    lines = [head, "|" + "---|" * (len(columns) + 2)]
    lines.append(
        f"| model (trained) | {len(runs)} | "
        + " | ".join(cell([r.get(k, float("nan")) for r in runs]) for k in columns)
        + " |"
    )
    lines.append(
        f"| most common caption: {constant!r} | | "
        + " | ".join(f"{baseline.get(k, float('nan')):.3f}" for k in columns)
        + " |"
    )
    table = "\n".join(lines)
    loss = ", ".join(f"{h[-1]['loss_first']:.3f} -> {h[-1]['loss_last']:.3f}" for h in histories)
    notes = (
        f"Text-motion evaluator, held-out ({len(test_clips.ids)} clips, batches of 32): R@1 {own['r1']:.3f} "
        f"(chance {1 / 32:.3f}), R@3 {own['r3']:.3f} (chance {3 / 32:.3f}), MM-Dist {own['mm_dist']:.3f}.\n"
        f"Caption training: {histories[-1][-1]['steps']} steps per seed, loss {loss}, "
        f"{', '.join(f'{t:.0f}' for t in train_s)} s. Intervals: 95 % Student t over seeds. "
        f"BERTScore uses the local all-MiniLM-L6-v2, not the paper's encoder. Last report: {report}."
    )
    print(table)
    print(notes)
    command = " ".join(["python benchmarks/captioning.py", f"--spec {shown_path(args.spec)}", f"--threads {args.threads}",
                        f"--seeds {args.seeds}", *(f"--scale {args.scale}" for _ in [0] if args.scale),
                        *(f"--backbone {b}" for b in args.backbone)])  # fmt: skip
    (args.out / "captioning.md").write_text(f"Command: `{command}`\n\n{table}\n\n{notes}\n", encoding="utf-8")
    (args.out / "captioning.json").write_text(
        json.dumps({"model": runs, "baseline": baseline, "evaluator": own, "constant": constant}, indent=2),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
