"""``skeletonllm pretrain-vision SPEC``: pretrain the spec's vision tower and cache it for ``vision_init: pretrained``.

This module imports only click; the pipeline loads when the command runs.
"""

from __future__ import annotations

import json
import time

import click


@click.command("pretrain-vision")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", default=None, type=click.Path(file_okay=False), help="Also write the tower here.")
@click.option("--steps", default=None, type=click.IntRange(min=1), help="Override the stage's max_steps.")
@click.option("--force", is_flag=True, help="Train even when the cache holds a tower made by the same recipe.")
@click.option("--no-cache", "no_cache", is_flag=True, help="Do not read or write the tower cache (needs -o).")
@click.option("--json", "as_json", is_flag=True, help="Print the held-out figures as JSON.")
def pretrain_vision(spec: str, output: str | None, steps: int | None, force: bool, no_cache: bool, as_json: bool):
    """Teach SPEC's vision tower to read rendered poses (landmarks, motion, kinematic facts; no labels).

    Uses the spec's data (training split, seen classes), renderer and backbone, and the
    options of its ``vision_pretrain`` stage (defaults if it has none). The tower goes to
    the cache (``$SKELETONLLM_CACHE/towers``), where ``vision_init: pretrained`` finds it.
    """
    from skeletonllm.pipeline import Pipeline
    from skeletonllm.spec import load_spec
    from skeletonllm.towers import save_tower

    from .stage import VisionPretrainStage

    if no_cache and output is None:
        raise click.UsageError("--no-cache keeps the tower nowhere: give -o DIR")
    validated = load_spec(spec)
    backbone_options = validated.options.get("backbone")
    if getattr(backbone_options, "vision_init", "random") != "random":
        backbone_options.vision_init = "random"  # the tower being made cannot start from itself
    pipeline = Pipeline(validated)
    stage = next((s for s in pipeline.stages if isinstance(s, VisionPretrainStage)), None) or VisionPretrainStage()
    if steps is not None:
        stage.options.max_steps = steps
    if no_cache:
        stage.options.cache = False
    stage.reuse = not force
    pipeline.backbone.set_trainable(["vision"])
    started = time.perf_counter()
    record = stage.fit(pipeline)
    if output is not None:
        save_tower(output, pipeline.backbone, stage.manifest or {})
        click.echo(f"tower written to {output}", err=True)
    if record.get("cached"):
        click.echo(f"the cache already holds this recipe's tower: {record['tower']} (--force to train again)")
        return
    losses = record["losses"]
    click.echo(
        f"{len(losses)} steps in {time.perf_counter() - started:.0f} s (training {record['seconds']:.0f} s), "
        f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, peak RSS {record['peak_rss_mib']:.0f} MiB"
        + (f"; tower cached at {record['tower']}" if "tower" in record else "")
    )
    figures = record.get("validation", {})
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for group, row in figures.items():
        click.echo(
            f"held out {group} ({row['clips']} clips): landmark error {row['part_error_heights']:.3f} body heights "
            f"(mean pose {row['mean_pose_error_heights']:.3f})"
        )
        for fact, value in row["facts"].items():
            click.echo(f"  {fact:15s} {value:.3f}  (most frequent {row['majority'].get(fact, float('nan')):.3f})")
