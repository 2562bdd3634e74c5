"""Renderer ablation: the same experiment with every renderer swapped in, over several seeds.

    python benchmarks/renderer_ablation.py [--spec docs/specs/ablation_synthact.yaml] [--seeds 0,1,2]
        [--scale F] [--renderers draction,stick,...] [--threads 1] [--out benchmarks/results]

For each renderer and seed the spec is copied with only ``renderer.name`` and the seeds
changed, trained through the spec's stages and evaluated with the report code of
``skeletonllm evaluate`` (``skeletonllm.stats``). The table gives, per renderer, the mean
accuracy over seeds with a Student-t 95 % interval, the pooled accuracy over every test
answer with a bootstrap interval, the chance level, and two diagnostics that explain a
figure at chance:

* ``probe``: a linear softmax probe on the renderer's *untrained* pictures (train split ->
  test split). If the probe is far above chance, the pictures carry the class and a model
  that stays at chance failed to read them, not the renderer to show them.
* ``top answer``: the share of test answers that are the single most frequent answer. A
  model that always answers one class on a balanced four-class test set scores exactly
  0.25: collapse onto the label prior, which also explains a training loss that falls (the
  answer *format* is learned) and then stalls near ln(4) per label token.

The paper's own table was measured on NTU with 7-8B backbones on GPUs; its figures are not
reproduced here. The CPU run answers a narrower question: with the same tiny backbone and
budget, which renderer's pictures does it learn from.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import numpy as np
import torch
import yaml
from PIL import Image, ImageDraw

from skeletonllm.batch import SkeletonBatch
from skeletonllm.registry import get_registry
from skeletonllm.spec import validate_spec
from skeletonllm.threads import configure_threads

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ablation_common import load_runs, record_run, seed_runs, seeds_cell, shown_path, summarise  # noqa: E402
from synthact_baselines import softmax_regression  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def seeded_spec(base: dict, renderer: str, seed: int, scale: float | None, out: Path) -> dict:
    spec = copy.deepcopy(base)
    spec["renderer"]["name"] = renderer
    spec.setdefault("optim", {})["seed"] = seed
    spec["output_dir"] = str(out / "runs" / f"{renderer}-seed{seed}")
    if scale:
        for stage in spec["stages"]:
            stage["max_steps"] = max(1, round(stage.get("max_steps", 1) * scale))
    return spec


def probe_accuracy(spec: dict) -> float:
    """Linear softmax probe on the renderer's pictures before any training (train -> test split)."""
    validated = validate_spec(spec)
    dataset = validated.build("data")
    renderer = validated.build("renderer").eval()
    frames = renderer.options.frames

    def features(split: str) -> tuple[np.ndarray, np.ndarray]:
        samples = list(dataset.samples(split))
        feats = []
        for start in range(0, len(samples), 16):
            chunk = samples[start : start + 16]
            batch = SkeletonBatch.from_sequences([s.load() for s in chunk], frames=frames, train=False)
            with torch.no_grad():
                feats.append(renderer(batch).reshape(len(chunk), -1).numpy())
        return np.concatenate(feats), np.asarray([s.label for s in samples])

    x_train, y_train = features(spec["split"]["train"])
    x_test, y_test = features(spec["split"]["test"])
    classes = len(dataset.class_names)
    _, predicted = softmax_regression(x_train, y_train, x_test, classes, weight_decay=1e-3, steps=200)
    return float((predicted == y_test).mean())


def markdown(rows: list[dict]) -> str:
    head = (
        "| renderer | learnable | accuracy, mean of seeds [t 95 %] | per seed | pooled [bootstrap 95 %] (answers) "
        "| chance | linear probe | top answer | final loss | train s/run |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append(
            f"| {r['renderer']} | {'yes' if r['learnable'] else 'no'} | {seeds_cell(r)} | {r['chance']:.3f} "
            f"| {r['probe']:.3f} | {r['top_answer_share']:.2f} | {r['loss_last']:.3f} | {r['train_s']:.0f} |"
        )
    return "\n".join(lines)


def bar_chart(rows: list[dict], key: str, path: Path) -> None:
    """A plain bar chart with PIL (no plotting dependency)."""
    w, h, pad = 120 * len(rows) + 80, 360, 40
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    draw.text((pad, 10), f"{key} by renderer", fill="black")
    draw.line((pad, h - pad, w - pad // 2, h - pad), fill="black")
    for i, r in enumerate(rows):
        value = float(r.get(key, 0.0))
        x0 = pad + 20 + i * 120
        y0 = h - pad - int(value * (h - 2 * pad - 20))
        draw.rectangle((x0, y0, x0 + 70, h - pad), fill=(70, 120, 200) if r["learnable"] else (160, 160, 160))
        draw.text((x0, h - pad + 6), r["renderer"], fill="black")
        draw.text((x0, y0 - 14), f"{value:.2f}", fill="black")
    img.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "docs" / "specs" / "ablation_synthact.yaml")
    parser.add_argument("--renderers", default=None, help="comma-separated; default: every registered renderer")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (at least three for an interval)")
    parser.add_argument("--scale", type=float, default=None, help="multiply every stage's max_steps (0.1 = quick run)")
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
    args.threads = choice.count  # the count used, for the printed command
    base = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    names = args.renderers.split(",") if args.renderers else get_registry().names("renderer")
    seeds = [int(s) for s in args.seeds.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    done_path = args.out / "renderer_ablation_runs.jsonl"
    done = load_runs(done_path)
    rows = []
    for name in names:

        def spec_for(seed: int, name: str = name) -> dict:
            return seeded_spec(base, name, seed, args.scale, args.out)

        runs = seed_runs(name, seeds, spec_for, done, done_path, args.summarise_only)
        if not runs:
            continue
        probe_key = (name, "probe")
        if probe_key not in done:
            if args.summarise_only:
                done[probe_key] = {"probe": float("nan")}
            else:
                done[probe_key] = {"probe": probe_accuracy(seeded_spec(base, name, seeds[0], args.scale, args.out))}
                record_run(done_path, name, {"seed": "probe", **done[probe_key]})
        probe = done[probe_key]["probe"]
        rows.append({"renderer": name, **summarise(runs), "probe": probe})
        print(json.dumps(rows[-1]), flush=True)
    table = markdown(rows)
    print(table)
    command = (
        f"python benchmarks/renderer_ablation.py --spec {shown_path(args.spec)} --seeds {args.seeds} "
        f"--threads {args.threads}{f' --scale {args.scale}' if args.scale else ''}"
        f"{f' --renderers {args.renderers}' if args.renderers else ''}"
    )
    (args.out / "renderer_ablation.md").write_text(f"Command: `{command}`\n\n{table}\n", encoding="utf-8")
    (args.out / "renderer_ablation.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    bar_chart([{**r, "accuracy": r["mean"]} for r in rows], "accuracy", args.out / "renderer_ablation.png")
    print(f"wrote {args.out / 'renderer_ablation.md'} and {args.out / 'renderer_ablation.png'}")


if __name__ == "__main__":
    main()
