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
from skeletonllm.tasks import Prediction
from skeletonllm.threads import configure_threads
from skeletonllm.training import Trainer
from skeletonllm_training.text_motion.train import TrainSettings, collect_clips, measure, train_evaluator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from ablation_common import shown_path  # noqa: E402

FIGURES = ("bleu_4", "rouge_l", "cider", "bertscore_f1_minilm", "r_at_1", "r_at_3", "mm_dist")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "docs" / "specs" / "caption_synthact.yaml")
    parser.add_argument("--scale", type=float, default=None, help="multiply the stages' max_steps")
    parser.add_argument("--evaluator-epochs", type=int, default=60)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    args = parser.parse_args()
    choice = configure_threads(args.threads)
    print(choice.describe(), file=sys.stderr)
    args.threads = choice.count
    args.out.mkdir(parents=True, exist_ok=True)
    spec = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
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

    # 2. the captioning model
    spec["eval"]["metrics"] = ["captioning", {"name": "text_motion", "evaluator": str(evaluator_dir)}]
    pipeline = Pipeline(validate_spec(spec))
    start = time.time()
    history = Trainer(pipeline).fit(resume=True)
    train_s = time.time() - start
    model_metrics, report = evaluate_with_report(
        pipeline,
        spec=str(shown_path(args.spec)),
        checkpoint="trained in this run",
        out=args.out / "captioning_report",
    )

    # 3. the trivial baseline: the most common training caption for every test clip
    captions = Counter(c for refs in train_clips.references for c in refs)
    constant = captions.most_common(1)[0][0]
    predictions = pipeline.predict(show_progress=False)
    baseline = pipeline.score([Prediction(replace(p.example), constant, p.sample_id) for p in predictions])

    rows = [("tiny model (trained)", model_metrics), (f"most common caption: {constant!r}", baseline)]
    head = "| system | " + " | ".join(FIGURES) + " |"
    lines = [head, "|" + "---|" * (len(FIGURES) + 1)]
    for name, metrics in rows:
        lines.append(f"| {name} | " + " | ".join(f"{metrics.get(k, float('nan')):.3f}" for k in FIGURES) + " |")
    table = "\n".join(lines)
    loss = f"{history[-1]['loss_first']:.3f} -> {history[-1]['loss_last']:.3f}"
    notes = (
        f"Text-motion evaluator, held-out ({len(test_clips.ids)} clips, batches of 32): R@1 {own['r1']:.3f} "
        f"(chance {1 / 32:.3f}), R@3 {own['r3']:.3f} (chance {3 / 32:.3f}), MM-Dist {own['mm_dist']:.3f}.\n"
        f"Caption training: {history[-1]['steps']} steps, loss {loss}, {train_s:.0f} s. "
        f"BERTScore uses the local all-MiniLM-L6-v2, not the paper's encoder. Report: {report}."
    )
    print(table)
    print(notes)
    command = (
        f"python benchmarks/captioning.py --threads {args.threads}{f' --scale {args.scale}' if args.scale else ''}"
    )
    (args.out / "captioning.md").write_text(f"Command: `{command}`\n\n{table}\n\n{notes}\n", encoding="utf-8")
    (args.out / "captioning.json").write_text(
        json.dumps({"model": model_metrics, "baseline": baseline, "evaluator": own, "constant": constant}, indent=2),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
