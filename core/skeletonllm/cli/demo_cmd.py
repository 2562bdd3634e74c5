"""``skeletonllm demo``: the main job in one command (what ``make demo`` runs).

1. reads every real sample clip it can find and prints the ``info`` table;
2. generates SynthAct clips and renders one with every renderer (PNG contact sheets and a
   DrAction GIF) into the output folder;
3. trains the tiny demo spec (``demo_tiny_qwen``, shipped in ``skeletonllm/specs/``) through
   all four stages on the CPU and evaluates it, printing the metrics.

Each step says what it wrote; nothing is downloaded.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..specs import bundled_spec
from ..wording import counted

if TYPE_CHECKING:
    from ..interfaces.metric import MetricResult

DEMO_SPEC = "demo_tiny_qwen"
SAMPLES = [
    "ntu_rgbd_skeleton/S001C001P001R001A001.skeleton",
    "pku_mmd/A10N08-L.txt",
    "nw_ucla/all_sqe/a01_s01_e00_v01.json",
    "humanml3d/new_joints/012314.npy",
    "cmu_mocap_bvh/131_01.bvh",
    "coco_keypoints/test_coco.json",
]


def _run(args: list[str]) -> str:
    """Run a ``skeletonllm`` command in-process, exactly as a user would type it."""
    from click.testing import CliRunner

    from . import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    if result.exit_code != 0:
        sys.stderr.write(result.stderr if result.stderr_bytes else result.output)
        raise SystemExit(result.exit_code)
    return result.stdout


def show_samples(shared: Path) -> None:
    files = [str(shared / s) for s in SAMPLES if (shared / s).exists()]
    if not files:
        print(f"[1/3] no real sample files under {shared}: skipping the info table")
        return
    print(f"[1/3] the real sample clips ({counted(len(files), 'file')} under {shared})")
    print(_run(["info", *files]))


def held_out_clip(synth: Path) -> tuple[Path, dict[str, str]]:
    """The first clip ``synth`` wrote for a held-out performer (else the first clip), and its ``labels.csv`` row."""
    import csv

    rows: list[dict[str, str]] = []
    labels = synth / "labels.csv"
    if labels.is_file():
        with open(labels, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if (synth / r.get("file", "")).is_file()]
    held_out = [r for r in rows if r.get("xsub") == "test"]
    if held_out or rows:
        row = (held_out or rows)[0]
        return synth / row["file"], row
    return sorted(synth.glob("*.skeleton"))[0], {}


def render_gallery(out: Path, actions: list[str] | None = None) -> Path:
    """Write SynthAct clips of ``actions`` (the demo model's classes), render one; returns that clip.

    Four clips per action, so each action has one by a performer the demo model never trains on
    (SynthAct holds out every fourth performer): that clip is rendered and offered to ``infer``.
    """
    from ..io import read_sequences

    synth = out / "synth"
    print("[2/3] SynthAct clips, rendered by every renderer")
    chosen = [arg for action in actions or () for arg in ("--action", action)]
    n = str(4 * len(actions) if actions else 4)
    print(_run(["synth", "--format", "ntu_skeleton", "--n", n, "--seed", "0", *chosen, "-o", str(synth)]).strip())
    clip, row = held_out_clip(synth)
    seq = read_sequences(clip)[0]
    code = f"A{seq.meta.get('action', 0):03d}"
    name = f" ({row['action']})" if row.get("action") else ""
    who = ", a performer the model never trains on" if row.get("xsub") == "test" else ""
    print(f"      {clip.name}: NTU action {code}{name}, {seq.num_frames} frames{who}")
    from ..registry import get_registry

    for renderer in get_registry().names("renderer"):
        target = out / f"{clip.stem}_{renderer}.png"
        _run(["render", str(clip), "--renderer", renderer, "--frames", "6", "--size", "224", "-o", str(target)])
        print(f"      wrote {target}")
    default = get_registry().default("renderer", "render")
    gif = out / f"{clip.stem}_{default}.gif"
    _run(["render", str(clip), "--renderer", default, "--frames", "12", "--size", "224", "-o", str(gif)])
    print(f"      wrote {gif}")
    return clip


def demo_spec(out: Path) -> dict:
    """The bundled demo spec, written into ``out/run``: the spec the demo trains, as data."""
    import yaml

    data = yaml.safe_load(bundled_spec(DEMO_SPEC).read_text(encoding="utf-8"))
    data["output_dir"] = str(out / "run")
    return data


def save_spec(data: dict, path: Path) -> Path:
    """Write the exact spec a run used beside it, so every later command can name it."""
    import yaml

    from ..atomic import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"# the spec `skeletonllm demo` trained ({DEMO_SPEC} with output_dir {data['output_dir']})\n"
    with atomic_write(path) as tmp:
        Path(tmp).write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def program() -> str:
    """How the user started ``skeletonllm`` (``.venv/bin/skeletonllm`` under ``make demo``), to print commands."""
    import shlex

    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    return shlex.quote(str(argv0)) if argv0 is not None and argv0.name == "skeletonllm" else "skeletonllm"


def next_commands(spec: Path, clip: Path | None) -> list[str]:
    """The commands that use the demo's model, exactly as they are to be typed (from the current folder)."""
    import shlex

    prog, spec_arg = program(), shlex.quote(str(spec))
    commands = []
    if clip is not None:
        commands.append(f"{prog} infer {spec_arg} {shlex.quote(str(clip))}")
    commands += [f"{prog} evaluate {spec_arg}", f"{prog} app {spec_arg}"]
    return commands


def headline(results: Mapping[str, MetricResult]) -> str | None:
    """``accuracy 0.750, 95 % interval [0.583, 0.917], chance 0.250, 36 test clips`` from what the metrics returned.

    The first figure that comes with both an interval and a chance level, worded with its own name,
    so the demo names no metric and no figure (the recognition metric's overall accuracy for the
    demo spec, whose interval counts test clips: one question each). None when no figure has both.
    """
    for result in results.values():
        for name, interval in result.intervals.items():
            if name in result.chance:
                return (
                    f"{name} {interval.value:.3f}, 95 % interval [{interval.low:.3f}, {interval.high:.3f}], "
                    f"chance {result.chance[name]:.3f}, {counted(interval.n, 'test clip')}"
                )
    return None


def train_tiny(out: Path, clip: Path | None = None, data: dict | None = None) -> tuple[Path, str | None]:
    """Train and evaluate the demo spec (``data``, default the bundled one) into its ``output_dir``.

    Returns the spec file saved beside the run and the accuracy headline (None if the task has none).
    """
    from ..pipeline import Pipeline
    from ..spec import validate_spec
    from ..training import Trainer

    data = demo_spec(out) if data is None else data
    run = Path(data["output_dir"])
    spec_file = save_spec(data, run / "spec.yaml")
    print(f"[3/3] training the bundled spec {DEMO_SPEC} (tiny Qwen2.5-VL, DrAction, 4 stages) on the CPU")
    print(f"      spec: {spec_file}")
    start = time.time()
    pipeline = Pipeline(validate_spec(data, source=str(spec_file)))
    history = Trainer(pipeline).fit()
    for h in history:
        print(f"      {h['stage']:<10} {h['steps']:>4} steps  loss {h['loss_first']:.3f} -> {h['loss_last']:.3f}")
    from ..evaluation import evaluate_results

    results, report = evaluate_results(pipeline, spec=str(spec_file), checkpoint=run / "last", out=run / "eval")
    summary = headline(results)
    metrics = {k: v for result in results.values() for k, v in result.values.items()}
    print(f"      test: {summary or json.dumps(metrics, sort_keys=True)}  ({time.time() - start:.0f} s)")
    print(f"      report: {report}")
    print(f"      checkpoint: {run / 'last'}")
    return spec_file, summary


def finish(out: Path, spec_file: Path | None, summary: str | None, clip: Path | None) -> None:
    """The last lines: what the demo reached, then the commands that use its model, exactly as typed."""
    reached = f"held-out {summary}; " if summary else ""
    print(f"demo finished: {reached}outputs in {out}")
    if spec_file is None:
        return
    print("next: ask the trained model yourself (these commands work as printed, from this folder):")
    for command in next_commands(spec_file, clip):
        print(f"  {command}")


@click.command()
@click.option(
    "--shared", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared/data"), show_default=True
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"), show_default=True)
@click.option("--skip-training", is_flag=True, help="Only the sample table and the renders.")
def demo(shared: Path, out: Path, skip_training: bool) -> None:
    """Read the sample clips, render SynthAct with every renderer, train and test a tiny model on the CPU."""
    out.mkdir(parents=True, exist_ok=True)
    show_samples(shared)
    data = demo_spec(out)
    clip = render_gallery(out, list(data["data"].get("actions") or ()))
    spec_file, summary = train_tiny(out, clip, data) if not skip_training else (None, None)
    finish(out, spec_file, summary, clip)
