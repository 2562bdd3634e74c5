"""``skeletonllm train | evaluate | infer``: run an experiment described by one spec."""

from __future__ import annotations

import json

import click


def _echo_threads() -> None:
    """One line on stderr: the torch thread count this command computes with, and why (rank 0 only)."""
    from .. import distributed
    from ..threads import configure_threads

    obj = click.get_current_context().find_root().obj or {}
    choice = obj.get("threads") or configure_threads()
    if distributed.rank() == 0:
        click.echo(choice.describe(), err=True)


def _pipeline(spec: str, device: str | None, checkpoint: str | None = None):
    """A pipeline with trained weights: ``--checkpoint``, else ``output_dir/last`` when it exists."""
    from ..pipeline import Pipeline
    from ..spec import load_spec
    from ..training import LAST, load_trained

    pipeline = Pipeline(load_spec(spec), device)
    if checkpoint or (pipeline.output_dir / LAST).exists():
        load_trained(pipeline, checkpoint or pipeline.output_dir / LAST)
    return pipeline


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda when available)")
@click.option("--no-resume", is_flag=True, help="Start from scratch even if output_dir has a checkpoint.")
def train(spec: str, device: str | None, no_resume: bool) -> None:
    """Train every stage of SPEC, resuming from output_dir/last; then evaluate.

    Under ``torchrun`` every process runs this command: each trains on its
    slice of every global batch, and rank 0 alone prints, evaluates and
    writes the checkpoint (see docs/training.md).
    """
    from .. import distributed
    from ..pipeline import Pipeline
    from ..spec import load_spec
    from ..training import Trainer

    _echo_threads()
    pipeline = Pipeline(load_spec(spec), device)
    try:
        history = Trainer(pipeline).fit(resume=not no_resume)
        if pipeline.rank != 0:
            return
        for h in history:
            click.echo(f"{h['stage']}: {h['steps']} steps, loss {h['loss_first']:.4f} -> {h['loss_last']:.4f}")
        result = pipeline.evaluate()
        click.echo(json.dumps(result, sort_keys=True))
        click.echo(f"checkpoint: {pipeline.output_dir / 'last'}")
    finally:
        distributed.shutdown()


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--checkpoint", default=None, type=click.Path(file_okay=False), help="Default: output_dir/last if present."
)
@click.option("--device", default=None)
def evaluate(spec: str, checkpoint: str | None, device: str | None) -> None:
    """Evaluate SPEC's model on its test split; prints the metrics as JSON."""
    _echo_threads()
    click.echo(json.dumps(_pipeline(spec, device, checkpoint).evaluate(), sort_keys=True))


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--checkpoint", default=None, type=click.Path(file_okay=False))
@click.option("--question", default=None, help="Ask this instead of the recognition question.")
@click.option("--device", default=None)
def infer(spec: str, files: tuple[str, ...], checkpoint: str | None, question: str | None, device: str | None) -> None:
    """Answer for each skeleton FILE with SPEC's (trained) model."""
    _echo_threads()
    for path, answer in _pipeline(spec, device, checkpoint).infer(list(files), question):
        click.echo(f"{path}\t{answer.strip()}")
