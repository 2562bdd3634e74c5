"""Cross-format transfer on SynthAct (the shape of the paper's Table 2): train on one skeleton
layout, test on another without any finetuning.

    python benchmarks/cross_format.py [--spec docs/specs/cross_format_synthact.yaml]
        [--seeds 0,1,2] [--renderers draction,stick] [--scale F] [--limit N] [--threads N]
        [--paper-figures FILE] [--out benchmarks/results]

For each renderer and seed, one model is trained on Kinect v2 and tested on Kinect v2 itself
(the in-format reference), Kinect v1, SMPL-22 and COCO-17 (2D pixels); a second is trained
on SMPL-22 *captions* only and asked for Kinect v1 *labels*. SynthAct's generator makes the
same performance in every layout from one seed, so the only thing that changes between test
sets is the skeleton format. Each cell is the mean over seeds with a 95 % Student-t interval
over seeds (the spread of whole runs), and the per-run clip-bootstrap intervals are written
to the JSON file. The paper's figures were measured on NTU, NW-UCLA and HumanML3D with
7-8B backbones; they are printed beside ours only when ``--paper-figures`` gives a YAML file
transcribed from the paper (row name -> figure), never typed in here.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import yaml

from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.stats import bootstrap_interval, mean_interval
from skeletonllm.threads import configure_threads
from skeletonllm.training import LAST, Trainer, load_trained

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from ablation_common import shown_path  # noqa: E402

SOURCE = "kinect_v2"
TARGETS = ("kinect_v2", "kinect_v1", "smpl22", "coco17")
CAPTION_ROW = ("smpl22", "kinect_v1")


def _with(base: dict, *, topology: str, seed: int, renderer: str, out: Path, scale: float | None) -> dict:
    spec = copy.deepcopy(base)
    spec["data"]["topology"] = topology
    spec["data"]["seed"] = seed
    spec["optim"]["seed"] = seed
    spec["renderer"]["name"] = renderer
    spec["output_dir"] = str(out)
    if scale:
        for stage in spec["stages"]:
            if "max_steps" in stage:
                stage["max_steps"] = max(1, round(stage["max_steps"] * scale))
    return spec


def _caption_spec(spec: dict) -> dict:
    """The caption-only training of the last row: the dataset's clip texts are the targets."""
    captions = copy.deepcopy(spec)
    steps = sum(s.get("max_steps", 1) for s in spec["stages"])
    train = spec["stages"][-1].get("train")
    captions["stages"] = [{"name": "caption", "max_steps": steps, **({"train": train} if train else {})}]
    return captions


def _test_spec(trained: dict, topology: str) -> dict:
    """The spec a test runs under: the target layout, and a recognition question the pipeline can ask.

    A zero-epoch ``refine`` stage trains nothing; it only tells evaluation which question to
    ask (a caption-trained model was never taught the ``Label:`` answer, which is the point).
    """
    spec = copy.deepcopy(trained)
    spec["data"]["topology"] = topology
    spec["stages"] = [*spec["stages"], {"name": "refine", "epochs": 0}]
    return spec


def _evaluate(spec: dict, checkpoint: Path, limit: int | None) -> tuple[float, list[float]]:
    if limit:
        spec = copy.deepcopy(spec)
        spec.setdefault("eval", {})["limit"] = limit
    pipeline = Pipeline(validate_spec(spec))
    load_trained(pipeline, checkpoint)
    predictions = pipeline.predict(show_progress=False)
    hits = [float(bool(p.correct)) for p in predictions if p.example.is_recognition]
    return (sum(hits) / len(hits) if hits else float("nan")), hits


def run(
    base: dict,
    renderer: str,
    seed: int,
    scale: float | None,
    limit: int | None,
    out: Path,
    captions: bool = True,
    labels: bool = True,
) -> list[dict]:
    rows = []
    runs = out / "runs" / "cross_format"
    if labels:
        rows += _label_rows(base, renderer, seed, scale, limit, runs)
    if not captions:
        return rows
    return rows + _caption_rows(base, renderer, seed, scale, limit, runs)


def _label_rows(base: dict, renderer: str, seed: int, scale: float | None, limit: int | None, runs: Path) -> list[dict]:
    """Train on the source topology's labels, test on every target topology without finetuning."""
    rows = []
    trained = _with(base, topology=SOURCE, seed=seed, renderer=renderer, out=runs / f"{renderer}_s{seed}", scale=scale)
    start = time.time()
    history = Trainer(Pipeline(validate_spec(trained)), show_progress=False).fit(resume=False)
    train_s = time.time() - start
    for target in TARGETS:
        accuracy, hits = _evaluate(_test_spec(trained, target), Path(trained["output_dir"]) / LAST, limit)
        rows.append(_row(f"{SOURCE} -> {target}", renderer, seed, accuracy, hits, history, train_s))
    return rows


def _caption_rows(
    base: dict, renderer: str, seed: int, scale: float | None, limit: int | None, runs: Path
) -> list[dict]:
    """Train on SMPL-22 captions only, then ask for Kinect v1 labels."""
    source, target = CAPTION_ROW
    captions_spec = _caption_spec(
        _with(base, topology=source, seed=seed, renderer=renderer, out=runs / f"{renderer}_cap_s{seed}", scale=scale)
    )
    start = time.time()
    history = Trainer(Pipeline(validate_spec(captions_spec)), show_progress=False).fit(resume=False)
    accuracy, hits = _evaluate(_test_spec(captions_spec, target), Path(captions_spec["output_dir"]) / LAST, limit)
    return [_row(f"{source} captions -> {target} labels", renderer, seed, accuracy, hits, history, time.time() - start)]


def _row(name: str, renderer: str, seed: int, accuracy: float, hits, history, train_s: float) -> dict:
    clip = bootstrap_interval(hits, seed=seed)
    return {
        "row": name,
        "renderer": renderer,
        "seed": seed,
        "accuracy": accuracy,
        "clip_interval": clip.as_dict(),
        "loss_first": history[0]["loss_first"] if history else None,
        "loss_last": history[-1]["loss_last"] if history else None,
        "train_s": round(train_s, 1),
    }


def table(rows: list[dict], paper: dict[str, float]) -> str:
    renderers = list(dict.fromkeys(r["renderer"] for r in rows))
    names = list(dict.fromkeys(r["row"] for r in rows))
    head = "| transfer | " + " | ".join(f"{r} (mean [95 % CI], seeds)" for r in renderers)
    head += " | paper (NTU/NW-UCLA/HumanML3D, 7-8B) |" if paper else " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name in names:
        cells = []
        for renderer in renderers:
            values = [r["accuracy"] for r in rows if r["row"] == name and r["renderer"] == renderer]
            cells.append(str(mean_interval(values)))
        if paper:
            cells.append(f"{paper[name]:.1f}" if name in paper else "not reported")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write(rows: list[dict], paper: dict[str, float], base: dict, args: argparse.Namespace) -> None:
    """The table so far (markdown, with the command and what the figures are) and every row as JSON."""
    chance = 1.0 / len(base["data"].get("actions") or [0] * 21)
    spec = shown_path(args.spec)
    flags = (("spec", spec), ("seeds", args.seeds), ("renderers", args.renderers), ("scale", args.scale),
             ("limit", args.limit), ("threads", args.threads), ("no-captions", args.no_captions),
             ("captions-only", args.captions_only))  # fmt: skip
    command = " ".join(
        ["python benchmarks/cross_format.py", *(f"--{k} {'' if v is True else v}".strip() for k, v in flags if v)]
    )
    note = (
        f"Command: `{command}`\n\nOurs: SynthAct (procedural), tiny randomly initialised backbone, CPU; "
        f"chance = {chance:.3f}. "
        + ("Paper: its own datasets and 7-8B models, a labelled reference, not a like-for-like comparison.\n\n"
           if paper else "The paper's figures are not shipped here: pass --paper-figures to print them.\n\n")
    )  # fmt: skip
    (args.out / "cross_format.md").write_text(f"{note}{table(rows, paper)}\n", encoding="utf-8")
    (args.out / "cross_format.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "docs" / "specs" / "cross_format_synthact.yaml")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--renderers", default="draction,stick", help="DrAction and one fixed renderer")
    parser.add_argument("--scale", type=float, default=None, help="multiply every stage's max_steps (0.1: quick)")
    parser.add_argument("--limit", type=int, default=None, help="test clips per evaluation (default: all)")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    parser.add_argument("--no-captions", action="store_true", help="skip the SMPL-22 captions -> labels row")
    parser.add_argument("--captions-only", action="store_true", help="run only the SMPL-22 captions -> labels row")
    parser.add_argument("--paper-figures", type=Path, default=None, help="YAML: row -> the paper's figure")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    choice = configure_threads(args.threads)
    print(choice.describe(), file=sys.stderr)
    args.threads = choice.count  # the count used, for the printed command
    base = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    paper = yaml.safe_load(args.paper_figures.read_text(encoding="utf-8")) if args.paper_figures else {}
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for seed in (int(s) for s in args.seeds.split(",")):  # seed-major: a run cut short still has every renderer
        for renderer in args.renderers.split(","):
            print(f"== {renderer}, seed {seed}", flush=True)
            rows_of_run = run(
                base, renderer, seed, args.scale, args.limit, args.out, not args.no_captions, not args.captions_only
            )
            for row in rows_of_run:
                rows.append(row)
                print(json.dumps(row), flush=True)
            write(rows, paper, base, args)  # after every run, so a long benchmark never loses finished rows
    print(table(rows, paper))
    print(f"wrote {args.out / 'cross_format.md'} and {args.out / 'cross_format.json'}")


if __name__ == "__main__":
    main()
