"""``skeletonllm train | evaluate | infer``: run an experiment described by one spec."""

from __future__ import annotations

import json

import click


def _pipeline(spec: str, device: str | None, checkpoint: str | None = None):
    """A pipeline with trained weights, and the checkpoint it came from (``None``: untrained)."""
    from ..pipeline import Pipeline
    from ..spec import load_spec
    from ..training import LAST, load_trained

    pipeline = Pipeline(load_spec(spec), device)
    source = checkpoint or (pipeline.output_dir / LAST if (pipeline.output_dir / LAST).exists() else None)
    if source is not None:
        load_trained(pipeline, source)
    return pipeline, source


def _evaluate_and_report(pipeline, spec: str, checkpoint, out: str | None) -> dict:
    from ..evaluation import evaluate_with_report

    metrics, report = evaluate_with_report(pipeline, spec=spec, checkpoint=checkpoint, out=out)
    click.echo(f"report: {report}", err=True)
    return metrics


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda when available)")
@click.option("--no-resume", is_flag=True, help="Start from scratch even if output_dir has a checkpoint.")
def train(spec: str, device: str | None, no_resume: bool) -> None:
    """Train every stage of SPEC, resuming from output_dir/last; then evaluate."""
    from ..pipeline import Pipeline
    from ..spec import load_spec
    from ..training import Trainer

    pipeline = Pipeline(load_spec(spec), device)
    history = Trainer(pipeline).fit(resume=not no_resume)
    for h in history:
        click.echo(f"{h['stage']}: {h['steps']} steps, loss {h['loss_first']:.4f} -> {h['loss_last']:.4f}")
    result = _evaluate_and_report(pipeline, spec, pipeline.output_dir / "last", None)
    click.echo(json.dumps(result, sort_keys=True))
    click.echo(f"checkpoint: {pipeline.output_dir / 'last'}")


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--checkpoint", default=None, type=click.Path(file_okay=False), help="Default: output_dir/last if present."
)
@click.option("--device", default=None)
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Report folder (default: output_dir/eval).")
def evaluate(spec: str, checkpoint: str | None, device: str | None, out: str | None) -> None:
    """Evaluate SPEC's model on its test split: prints the metrics as JSON and writes a report."""
    pipeline, source = _pipeline(spec, device, checkpoint)
    click.echo(json.dumps(_evaluate_and_report(pipeline, spec, source, out), sort_keys=True))


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--checkpoint", default=None, type=click.Path(file_okay=False))
@click.option("--question", default=None, help="Ask this instead of the recognition question.")
@click.option("--device", default=None)
def infer(spec: str, files: tuple[str, ...], checkpoint: str | None, question: str | None, device: str | None) -> None:
    """Answer for each skeleton FILE with SPEC's (trained) model."""
    for path, answer in _pipeline(spec, device, checkpoint)[0].infer(list(files), question):
        click.echo(f"{path}\t{answer.strip()}")
