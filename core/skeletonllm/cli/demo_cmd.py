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
from pathlib import Path

import click

from ..specs import bundled_spec

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
    print(f"[1/3] the real sample clips ({len(files)} files under {shared})")
    print(_run(["info", *files]))


def render_gallery(out: Path) -> None:
    from ..io import read_sequences

    synth = out / "synth"
    print("[2/3] SynthAct clips, rendered by every renderer")
    print(_run(["synth", "--format", "ntu_skeleton", "--n", "4", "--seed", "0", "-o", str(synth)]).strip())
    clip = sorted(synth.glob("*.skeleton"))[0]
    seq = read_sequences(clip)[0]
    print(f"      {clip.name}: NTU action A{seq.meta.get('action', 0):03d}, {seq.num_frames} frames")
    from ..registry import get_registry

    for name in get_registry().names("renderer"):
        target = out / f"{clip.stem}_{name}.png"
        _run(["render", str(clip), "--renderer", name, "--frames", "6", "--size", "224", "-o", str(target)])
        print(f"      wrote {target}")
    default = get_registry().default("renderer", "render")
    gif = out / f"{clip.stem}_{default}.gif"
    _run(["render", str(clip), "--renderer", default, "--frames", "12", "--size", "224", "-o", str(gif)])
    print(f"      wrote {gif}")


def train_tiny(out: Path) -> None:
    import yaml

    from ..pipeline import Pipeline
    from ..spec import validate_spec
    from ..training import Trainer

    data = yaml.safe_load(bundled_spec(DEMO_SPEC).read_text(encoding="utf-8"))
    data["output_dir"] = str(out / "run")
    print(f"[3/3] training the bundled spec {DEMO_SPEC} (tiny Qwen2.5-VL, DrAction, 4 stages) on the CPU")
    start = time.time()
    pipeline = Pipeline(validate_spec(data))
    history = Trainer(pipeline).fit()
    for h in history:
        print(f"      {h['stage']:<10} {h['steps']:>4} steps  loss {h['loss_first']:.3f} -> {h['loss_last']:.3f}")
    from ..evaluation import evaluate_with_report

    metrics, report = evaluate_with_report(
        pipeline, spec=str(DEMO_SPEC), checkpoint=out / "run" / "last", out=out / "run" / "eval"
    )
    print(f"      test: {json.dumps(metrics, sort_keys=True)}  ({time.time() - start:.0f} s)")
    print(f"      report: {report}")
    print(f"      checkpoint: {out / 'run' / 'last'}")


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
    render_gallery(out)
    if not skip_training:
        train_tiny(out)
    print(f"demo finished: outputs in {out}")
