"""Stage ablation: does Disc-FT (motion negatives) or CR-Distill (kinematic teacher) change accuracy?

    python benchmarks/stage_ablation.py [--spec docs/specs/stage_ablation_synthact.yaml]
        [--seeds 0,1,2] [--scale F] [--threads 1] [--out benchmarks/results]

The base spec's last stage (refinement) is kept in every variant; a variant puts one more
stage before it, so the comparison is "refinement alone" against "stage X, then refinement"
as in the paper's Table 5 (which adds stages to a baseline). Each variant runs on several
seeds and is reported with the mean over seeds and its Student-t 95 % interval, the pooled
bootstrap interval over all test answers, and the chance level. The paper's own Table 5 is
measured on NTU with an 8B model; these are procedural SynthAct clips and a tiny random-init
backbone, so only the direction and size of a change here mean anything, not its value.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import yaml

from skeletonllm.threads import configure_threads

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ablation_common import load_runs, seed_runs, seeds_cell, shown_path, summarise  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

#: variant name -> stages put before the base spec's refinement
VARIANTS: dict[str, list[dict]] = {
    "refine only": [],
    "+ disc_ft (motion negatives)": [
        {"name": "disc_ft", "max_steps": 60, "top_k": 2, "mining": "motion", "train": ["projector", "lora", "llm"]}
    ],
    "+ cr_distill (kinematic teacher)": [
        {"name": "cr_distill", "max_steps": 60, "num_choices": 4, "train": ["projector", "lora", "llm", "vision"]}
    ],
}


def variant_spec(base: dict, extra: list[dict], seed: int, scale: float | None, out: Path, tag: str) -> dict:
    spec = copy.deepcopy(base)
    spec["stages"] = copy.deepcopy(extra) + spec["stages"]
    spec.setdefault("optim", {})["seed"] = seed
    spec["output_dir"] = str(out / "runs" / f"{tag}-seed{seed}")
    if scale:
        for stage in spec["stages"]:
            stage["max_steps"] = max(1, round(stage.get("max_steps", 1) * scale))
    return spec


def markdown(rows: list[dict]) -> str:
    head = (
        "| variant | steps | accuracy, mean of seeds [t 95 %] | per seed | pooled [bootstrap 95 %] (answers) "
        "| chance | top answer | train s/run |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append(
            f"| {r['variant']} | {r['steps']} | {seeds_cell(r)} | {r['chance']:.3f} | {r['top_answer_share']:.2f} "
            f"| {r['train_s']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "docs" / "specs" / "stage_ablation_synthact.yaml")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--variants", default=None, help="comma-separated names from VARIANTS (default: all)")
    parser.add_argument("--scale", type=float, default=None, help="multiply every stage's max_steps")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    parser.add_argument(
        "--summarise-only", action="store_true", help="write the table from the runs finished so far, train nothing"
    )
    args = parser.parse_args()
    choice = configure_threads(args.threads)
    print(choice.describe(), file=sys.stderr)
    args.threads = choice.count
    base = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    chosen = args.variants.split(",") if args.variants else list(VARIANTS)
    seeds = [int(s) for s in args.seeds.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    done_path = args.out / "stage_ablation_runs.jsonl"
    done = load_runs(done_path)
    rows = []
    for name in chosen:

        def spec_for(seed: int, name: str = name, tag: str = f"variant{list(VARIANTS).index(name)}") -> dict:
            return variant_spec(base, VARIANTS[name], seed, args.scale, args.out, tag)

        runs = seed_runs(name, seeds, spec_for, done, done_path, args.summarise_only)
        if runs:
            rows.append({"variant": name, **summarise(runs)})
    table = markdown(rows)
    print(table)
    command = (
        f"python benchmarks/stage_ablation.py --spec {shown_path(args.spec)} --seeds {args.seeds} "
        f"--threads {args.threads}{f' --scale {args.scale}' if args.scale else ''}"
    )
    (args.out / "stage_ablation.md").write_text(f"Command: `{command}`\n\n{table}\n", encoding="utf-8")
    (args.out / "stage_ablation.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"wrote {args.out / 'stage_ablation.md'}")


if __name__ == "__main__":
    main()
