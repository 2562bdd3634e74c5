"""Vision pretraining: does a tower pretrained on renders read poses, and do its features carry the action?

For each tower (``--towers``, named below) and seed, on one thread:

1. **pretraining data**: renders of SynthAct's 16 seen classes (``16/5`` split; the five unseen classes are
   never rendered for pretraining) on the xsub training performers, in every topology of ``--topologies``,
   plus NW-UCLA views 1 and 2 (``xview/train``). Labels are never used; the targets come from the joints.
2. **pretraining**: the ``vision_pretrain`` stage's loop (``skeletonllm_training.tower.pretrain``) for
   ``--steps`` steps of ``--batch`` clips.
3. **it reads poses**: held-out landmark error in body heights (beside the training set's mean pose) and the
   kinematic facts' accuracy per kind (beside the most frequent value), on SynthAct's xsub test performers
   (per topology) and NW-UCLA view 3.
4. **its features carry the action**: a linear softmax probe (``tower.probe``) on frozen features, SynthAct
   kinect_v2 16-way (xsub train -> test performers) and NW-UCLA 10-way cross-view (views 1, 2 -> view 3),
   for the pretrained tower, the same tower at its random initialisation (same seed), and raw pixels pooled
   to 8x8 cells per frame.

With ``--evaluate-towers DIR`` nothing is pretrained: the towers saved by ``--save-towers`` (``DIR/<tower>-seed<k>``)
are loaded and frozen, fresh heads are fitted on their tokens of the pretraining renders (the heads are not kept
with a tower), and step 3 is measured for them and, with the same refit, for the random tower of the same seed;
written to ``vision_pretrain_saved.{json,md}``. MSR Action3D's test subjects (``--msr-action3d``) are held out in
both modes; the towers never see MSR Action3D.

Results: ``benchmarks/results/vision_pretrain.json`` (every run, merged across invocations, so runs can go
in parallel processes) and ``vision_pretrain.md`` (mean and 95 % Student-t interval over seeds).

    python benchmarks/vision_pretrain.py --towers mini56 --seeds 0 --steps 600 --threads 1
    python benchmarks/vision_pretrain.py --evaluate-towers /tmp/towers --seeds 0,1,2 --steps 4000 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

from skeletonllm.registry import get_registry
from skeletonllm.stats import mean_interval
from skeletonllm.threads import configure_threads
from skeletonllm.towers import load_tower, save_tower
from skeletonllm_training.tower.pretrain import (
    CachedBatches,
    Recipe,
    build_heads,
    encode_set,
    evaluate,
    fit_heads,
    pretrain,
)
from skeletonllm_training.tower.probe import pixel_features, probe_accuracy, tower_features
from skeletonllm_training.tower.rendered import RenderedSet, cached_render_set

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
#: tower name -> (backbone options of the InternVL tiny preset, renderer size); the smol preset shares the tower
TOWERS = {
    "mini56": ({"tower_size": "mini", "image_size": 56}, 56),
    "mini112": ({"tower_size": "mini", "image_size": 112}, 112),
    "small56": ({"tower_size": "small", "image_size": 56}, 56),
    "small112": ({"tower_size": "small", "image_size": 112}, 112),
    "base112": ({"tower_size": "base", "image_size": 112}, 112),
}
FRAMES = 8


def concat(sets: list[RenderedSet]) -> RenderedSet:
    return RenderedSet(
        frames=torch.cat([s.frames for s in sets]),
        points=torch.cat([s.points for s in sets]),
        pose=torch.cat([s.pose for s in sets]),
        scale=torch.cat([s.scale for s in sets]),
        facts={k: torch.cat([s.facts[k] for s in sets]) for k in sets[0].facts},
        labels=torch.cat([s.labels for s in sets]),
        ids=[i for s in sets for i in s.ids],
        groups=[g for s in sets for g in s.groups],
    )


def render_data(size: int, args) -> dict[str, RenderedSet]:
    """Every set the benchmark reads, rendered once per renderer size (cached under the cache root)."""
    reg = get_registry()
    renderer_options = {"frames": FRAMES, "size": size}
    renderer = reg.create("renderer", "draction", renderer_options).eval()
    record = {"name": "draction", "options": renderer_options}
    out: dict[str, list[RenderedSet]] = {"pretrain": [], "held_out": []}

    def render(samples, group, split):
        return cached_render_set(renderer, record, {"group": group, "split": split}, samples, FRAMES, group=group)

    for topology in args.topologies:
        ds = reg.create("dataset", "synthetic", {"topology": topology, "samples_per_class": args.per_class})
        seen = set(ds.class_splits()["16/5"].seen)
        train = render(list(ds.samples("xsub/train", classes=seen)), f"synthact_{topology}", "train")
        test = render(list(ds.samples("xsub/test", classes=seen)), f"synthact_{topology}", "test")
        out["pretrain"].append(train)
        out["held_out"].append(test)
        if topology == "kinect_v2":
            out["probe_synth_train"], out["probe_synth_test"] = [train], [test]
    if args.nw_ucla:
        ucla = reg.create("dataset", "nw_ucla", {"root": args.nw_ucla})
        train = render(list(ucla.samples("xview/train")), "nw_ucla_view12", "train")
        test = render(list(ucla.samples("xview/test")), "nw_ucla_view3", "test")
        out["pretrain"].append(train)
        out["held_out"].append(test)
        out["probe_ucla_train"], out["probe_ucla_test"] = [train], [test]
    if args.msr_action3d:  # held out only: the test subjects of a dataset the tower never sees
        msr = reg.create("dataset", "msr_action3d", {"root": args.msr_action3d})
        out["held_out"].append(render(list(msr.samples("xsub/test")), "msr_action3d_test", "test"))
    return {k: concat(v) for k, v in out.items()}


def true_landmarks(data: RenderedSet) -> np.ndarray:
    """The picture landmarks the tower is asked for (ground truth, 0 where missing): what reading them perfectly gives."""
    return torch.nan_to_num(data.points, 0.0).reshape(len(data), -1).numpy()


def true_body_pose(data: RenderedSet) -> np.ndarray:
    """The body-frame pose the tower is asked for (ground truth, 0 where missing)."""
    return torch.nan_to_num(data.pose, 0.0).reshape(len(data), -1).numpy()


REFERENCES = {
    "raw pixels (8x8 cells per frame)": pixel_features,
    "true picture landmarks (what the tower is asked)": true_landmarks,
    "true body pose (what the tower is asked)": true_body_pose,
}


def probes(features, data: dict[str, RenderedSet]) -> dict[str, float]:
    found = {}
    for name in ("synth", "ucla"):
        if f"probe_{name}_train" in data:
            train, test = data[f"probe_{name}_train"], data[f"probe_{name}_test"]
            found[name] = probe_accuracy(features(train), train.labels.numpy(), features(test), test.labels.numpy())
    return found


def run(tower: str, seed: int, data: dict[str, RenderedSet], args) -> dict:
    options, _size = TOWERS[tower]
    backbone = get_registry().create("backbone", "internvl3", {"frames": FRAMES, "seed": seed, **options})
    random_probe = probes(lambda d: tower_features(backbone, d), data)
    recipe = Recipe(
        steps=args.steps, batch_clips=args.batch, lr=args.lr, seed=seed, hidden=args.hidden,
        pose_weight=args.pose_weight, fact_weight=args.fact_weight,
    )  # fmt: skip
    heads = build_heads(backbone, FRAMES, recipe, data["pretrain"].images([0]))
    result = pretrain(backbone, heads, CachedBatches(data["pretrain"], args.batch, seed), recipe)
    figures = evaluate(backbone, heads, data["held_out"], data["pretrain"])
    trained_probe = probes(lambda d: tower_features(backbone, d), data)
    if args.save_towers:
        folder = Path(args.save_towers) / f"{tower}-seed{seed}"
        save_tower(folder, backbone, {"renderer": {"name": "draction", "options": {"size": _size}}, "figures": figures})
    started = time.perf_counter()
    get_registry().create("backbone", "internvl3", {"frames": FRAMES, "seed": seed, **options})
    build_s = time.perf_counter() - started
    vision = sum(p.numel() for p in backbone.parameter_groups()["vision"])
    return {
        "tower": tower + (f" {args.tag}" if args.tag else ""), "seed": seed, "steps": args.steps, "batch": args.batch,
        "lr": args.lr, "hidden": args.hidden, "pose_weight": args.pose_weight, "fact_weight": args.fact_weight,
        "vision_parameters": vision, "train_s": round(result.seconds, 1), "peak_rss_mib": round(result.peak_rss_mib),
        "build_s": round(build_s, 2), "loss_first": float(np.mean(result.losses[:10])),
        "loss_last": float(np.mean(result.losses[-10:])), "held_out": figures,
        "probe": trained_probe, "probe_random": random_probe,
    }  # fmt: skip


def refit(backbone, data: dict[str, RenderedSet], recipe: Recipe) -> tuple[dict, float]:
    """Fresh heads on the frozen tower's tokens of the pretraining renders, then the held-out figures."""
    result = fit_heads(encode_set(backbone, data["pretrain"]), data["pretrain"], recipe)
    return evaluate(backbone, result.heads, data["held_out"], data["pretrain"]), result.seconds


def evaluate_saved(tower: str, seed: int, data: dict[str, RenderedSet], args) -> dict:
    """A saved tower and the random tower of its seed, each read by heads refitted with the tower frozen."""
    options, _size = TOWERS[tower]
    backbone = get_registry().create("backbone", "internvl3", {"frames": FRAMES, "seed": seed, **options})
    recipe = Recipe(
        steps=args.steps, batch_clips=args.batch, lr=args.lr, seed=seed, hidden=args.hidden,
        pose_weight=args.pose_weight, fact_weight=args.fact_weight,
    )  # fmt: skip
    random_figures, _ = refit(backbone, data, recipe)
    started = time.perf_counter()
    manifest = load_tower(backbone, str(Path(args.evaluate_towers) / f"{tower}-seed{seed}"), quiet=True)
    load_s = time.perf_counter() - started
    figures, fit_s = refit(backbone, data, recipe)
    return {
        "tower": tower, "seed": seed, "folder": manifest["folder"], "load_s": round(load_s, 3),
        "readout": f"heads refitted on the frozen tower, {args.steps} steps", "fit_s": round(fit_s, 1),
        "held_out": figures, "held_out_random": random_figures,
    }  # fmt: skip


def saved_markdown(rows: list[dict], meta: dict) -> str:
    """Per held-out group: the saved towers against the random towers, both read by refitted heads."""
    lines = [f"Command: `{meta['command']}`", "", f"Load average at start / end: {meta['load']}", ""]
    for tower in sorted({r["tower"] for r in rows}):
        rs = [r for r in rows if r["tower"] == tower]
        groups = sorted(rs[0]["held_out"])
        facts = list(rs[0]["held_out"][groups[0]]["facts"])
        lines += [f"## {tower}: saved towers (seeds {', '.join(str(r['seed']) for r in rs)}), {rs[0]['readout']}", ""]
        lines += ["| held-out group | clips | landmark error, pretrained | random tower | mean pose | body pose error, "
                  "pretrained | random tower | blind |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for g in groups:
            cells = [fmt([r[k][g][f] for r in rs]) for f, k in (("part_error_heights", "held_out"),
                     ("part_error_heights", "held_out_random"))]  # fmt: skip
            body = [fmt([r[k][g]["body_pose_error_heights"] for r in rs]) for k in ("held_out", "held_out_random")]
            first = rs[0]["held_out"][g]
            lines.append(f"| {g} | {first['clips']} | {cells[0]} | {cells[1]} | {first['mean_pose_error_heights']:.3f} "
                         f"| {body[0]} | {body[1]} | {first['body_pose_blind_heights']:.3f} |")  # fmt: skip
        lines += ["", "Facts, pretrained / random tower (most frequent training value):", ""]
        lines += ["| held-out group | " + " | ".join(facts) + " |", "|---" * (1 + len(facts)) + "|"]
        for g in groups:
            cells = [
                f"{np.mean([r['held_out'][g]['facts'][f] for r in rs]):.2f} / "
                f"{np.mean([r['held_out_random'][g]['facts'][f] for r in rs]):.2f} "
                f"({rs[0]['held_out'][g]['majority'].get(f, np.nan):.2f})"
                for f in facts
            ]
            lines.append(f"| {g} | " + " | ".join(cells) + " |")
        load_s = ", ".join(f"{r['load_s']:.3f}" for r in rs)
        lines += ["", f"Loading each saved tower: {load_s} s. Intervals: 95 % Student t over seeds.", ""]
    return "\n".join(lines) + "\n"


def fmt(values: list[float]) -> str:
    iv = mean_interval(values)
    return f"{iv.value:.3f}" if iv.n < 2 else f"{iv.value:.3f} [{iv.low:.3f}, {iv.high:.3f}]"


def markdown(rows: list[dict], pixel: dict[str, float], meta: dict) -> str:
    lines = [f"Command: `{meta['command']}`", "", f"Load average at start / end: {meta['load']}", ""]
    lines += ["## Linear probe on frozen features (held-out accuracy)", ""]
    lines += ["| tower | seeds | steps | SynthAct 16-way, pretrained | random init | NW-UCLA 10-way cross-view, pretrained "
              "| random init | train s | vision params |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for tower in sorted({r["tower"] for r in rows}):
        for steps in sorted({r["steps"] for r in rows if r["tower"] == tower}):
            rs = [r for r in rows if r["tower"] == tower and r["steps"] == steps]
            cells = [
                fmt([r[k].get(n, np.nan) for r in rs]) for n in ("synth", "ucla") for k in ("probe", "probe_random")
            ]
            lines.append(f"| {tower} | {len(rs)} | {steps} | {' | '.join(cells)} | "
                         f"{np.mean([r['train_s'] for r in rs]):.0f} | {rs[0]['vision_parameters']:,} |")  # fmt: skip
    for name, found in pixel.items():
        lines.append(f"| {name} | | | {found.get('synth', np.nan):.3f} | | {found.get('ucla', np.nan):.3f} | | | |")
    lines += ["| chance | | | 0.062 | | 0.100 | | | |", "", "## Reading poses (held out)", ""]
    for tower in sorted({r["tower"] for r in rows}):
        rs = [
            r
            for r in rows
            if r["tower"] == tower and r["steps"] == max(x["steps"] for x in rows if x["tower"] == tower)
        ]
        groups = sorted(rs[0]["held_out"])
        facts = list(rs[0]["held_out"][groups[0]]["facts"])
        lines += [f"### {tower}, {rs[0]['steps']} steps, {len(rs)} seeds", ""]
        lines += ["| held-out group | clips | landmark error (body heights) | mean pose | body pose error | blind | "
                  + " | ".join(facts) + " |", "|---" * (6 + len(facts)) + "|"]  # fmt: skip
        for g in groups:
            err = fmt([r["held_out"][g]["part_error_heights"] for r in rs])
            blind = rs[0]["held_out"][g]["mean_pose_error_heights"]
            cells = [f"{fmt([r['held_out'][g]['facts'][f] for r in rs])} ({rs[0]['held_out'][g]['majority'].get(f, np.nan):.2f})"
                     for f in facts]  # fmt: skip
            body = fmt([r["held_out"][g].get("body_pose_error_heights", np.nan) for r in rs])
            body_blind = rs[0]["held_out"][g].get("body_pose_blind_heights", np.nan)
            lines.append(
                f"| {g} | {rs[0]['held_out'][g]['clips']} | {err} | {blind:.3f} | {body} | {body_blind:.3f} | "
                f"{' | '.join(cells)} |"
            )
        lines.append("")
    lines.append("Facts: accuracy, in brackets the most frequent training value's accuracy (the blind bar).")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towers", default="mini56", help=f"comma-separated, from {', '.join(TOWERS)}")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=256, help="hidden width of the heads (0: linear heads)")
    parser.add_argument("--pose-weight", type=float, default=1.0, help="weight of the body-pose targets")
    parser.add_argument("--fact-weight", type=float, default=0.5, help="weight of the kinematic facts")
    parser.add_argument("--tag", default="", help="a name for this recipe in the tables")
    parser.add_argument("--per-class", type=int, default=40, help="SynthAct clips per class and topology")
    parser.add_argument("--topologies", default="kinect_v2,kinect_v1,smpl22,coco17,bvh")
    parser.add_argument("--nw-ucla", default="/work/data/nw_ucla", help="NW-UCLA root ('' to skip)")
    parser.add_argument("--msr-action3d", default="/work/data/msr_action3d", help="MSR Action3D root ('' to skip)")
    parser.add_argument("--save-towers", default=None, help="write each pretrained tower into this folder")
    parser.add_argument(
        "--evaluate-towers", default=None, metavar="DIR",
        help="pretrain nothing: read the towers saved in DIR (<tower>-seed<k>) with refitted heads",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="default: results/vision_pretrain[_saved].json")
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("vision_pretrain_saved.json" if args.evaluate_towers else "vision_pretrain.json")
    args.topologies = [t for t in args.topologies.split(",") if t]
    if args.nw_ucla and not Path(args.nw_ucla).is_dir():
        print(f"NW-UCLA not found at {args.nw_ucla}; skipping it", file=sys.stderr)
        args.nw_ucla = ""
    if args.msr_action3d and not Path(args.msr_action3d).is_dir():
        print(f"MSR Action3D not found at {args.msr_action3d}; skipping it", file=sys.stderr)
        args.msr_action3d = ""
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    load = [os.getloadavg()[0]]
    if args.evaluate_towers:
        main_saved(args, load)
        return
    saved = json.loads(args.out.read_text()) if args.out.exists() else {"rows": [], "references": {}}
    rows, pixel = saved["rows"], saved.get("references", {})
    for tower in args.towers.split(","):
        data = render_data(TOWERS[tower][1], args)
        for name, features in REFERENCES.items():
            if name not in pixel:
                pixel[name] = probes(features, data)
        for seed in (int(s) for s in args.seeds.split(",") if s):
            row = run(tower, seed, data, args)
            print(json.dumps({k: v for k, v in row.items() if k != "held_out"}), flush=True)
            saved = json.loads(args.out.read_text()) if args.out.exists() else {"rows": []}  # merge parallel runs
            key = (row["tower"], row["seed"], row["steps"])
            rows = [r for r in saved["rows"] if (r["tower"], r["seed"], r["steps"]) != key] + [row]
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps({"rows": rows, "references": pixel}, indent=1), encoding="utf-8")
    saved = json.loads(args.out.read_text()) if args.out.exists() else {"rows": rows}
    args.out.write_text(json.dumps({"rows": saved["rows"], "references": pixel}, indent=1), encoding="utf-8")
    rows = saved["rows"]
    load.append(os.getloadavg()[0])
    command = "python benchmarks/vision_pretrain.py " + " ".join(sys.argv[1:])
    text = markdown(rows, pixel, {"command": command, "load": " / ".join(f"{x:.1f}" for x in load)})
    args.out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


def main_saved(args, load: list[float]) -> None:
    """``--evaluate-towers``: every saved tower of ``--towers`` and ``--seeds``, read with refitted heads."""
    rows = []
    for tower in args.towers.split(","):
        data = render_data(TOWERS[tower][1], args)
        for seed in (int(s) for s in args.seeds.split(",") if s):
            row = evaluate_saved(tower, seed, data, args)
            print(json.dumps({k: v for k, v in row.items() if not k.startswith("held_out")}), flush=True)
            rows.append(row)
    load.append(os.getloadavg()[0])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=1), encoding="utf-8")
    command = "python benchmarks/vision_pretrain.py " + " ".join(sys.argv[1:])
    text = saved_markdown(rows, {"command": command, "load": " / ".join(f"{x:.1f}" for x in load)})
    args.out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
