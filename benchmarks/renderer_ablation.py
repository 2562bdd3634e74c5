"""Renderer ablation: the same experiment with every renderer swapped in, side by side.

    python benchmarks/renderer_ablation.py [--spec docs/specs/ablation_synthact.yaml] [--scale F]
        [--renderers draction,stick,...] [--out benchmarks/results]

For each renderer the spec is copied with only ``renderer.name`` changed (and its own
``output_dir``), trained through the spec's stages and evaluated. Prints a markdown table
(seen / unseen accuracy, their harmonic mean, training time) and writes it with a bar
chart to ``--out``. The paper's own table was measured on NTU with 7-8B backbones on
GPUs; its figures are not reproduced here, and the CPU run answers a narrower question:
with the same tiny backbone and budget, which renderer's pictures does it learn from best.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

from skeletonllm.pipeline import Pipeline
from skeletonllm.registry import get_registry
from skeletonllm.spec import validate_spec
from skeletonllm.threads import configure_threads
from skeletonllm.training import Trainer

REPO = Path(__file__).resolve().parents[1]


def run_one(base: dict, renderer: str, scale: float | None, out: Path) -> dict:
    spec = copy.deepcopy(base)
    spec["renderer"]["name"] = renderer
    spec["output_dir"] = str(out / "runs" / renderer)
    if scale:
        for stage in spec["stages"]:
            stage["max_steps"] = max(1, round(stage.get("max_steps", 1) * scale))
    pipeline = Pipeline(validate_spec(spec))
    start = time.time()
    history = Trainer(pipeline).fit(resume=False)
    train_s = time.time() - start
    metrics = pipeline.evaluate()
    return {
        "renderer": renderer,
        "learnable": pipeline.renderer.learnable,
        "loss_first": history[0]["loss_first"],
        "loss_last": history[-1]["loss_last"],
        "train_s": round(train_s, 1),
        **{k: round(v, 4) for k, v in metrics.items()},
    }


def markdown(rows: list[dict]) -> str:
    keys = [k for k in ("accuracy", "seen_accuracy", "unseen_accuracy", "harmonic_mean") if k in rows[0]]
    head = "| renderer | learnable | " + " | ".join(keys) + " | final loss | train s |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        cells = [r["renderer"], "yes" if r["learnable"] else "no", *(f"{r[k]:.3f}" for k in keys)]
        cells += [f"{r['loss_last']:.3f}", f"{r['train_s']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
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
    parser.add_argument("--scale", type=float, default=None, help="multiply every stage's max_steps (0.1 = quick run)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    args = parser.parse_args()
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    base = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    names = args.renderers.split(",") if args.renderers else get_registry().names("renderer")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in names:
        print(f"== renderer {name}", flush=True)
        rows.append(run_one(base, name, args.scale, args.out))
        print(json.dumps(rows[-1]), flush=True)
    table = markdown(rows)
    print(table)
    key = "harmonic_mean" if "harmonic_mean" in rows[0] else "accuracy"
    (args.out / "renderer_ablation.md").write_text(
        f"Command: `python benchmarks/renderer_ablation.py --spec {args.spec.relative_to(REPO)}"
        f"{f' --scale {args.scale}' if args.scale else ''}`\n\n{table}\n"
    )
    bar_chart(rows, key, args.out / "renderer_ablation.png")
    print(f"wrote {args.out / 'renderer_ablation.md'} and {args.out / 'renderer_ablation.png'}")


if __name__ == "__main__":
    main()
