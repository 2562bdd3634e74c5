"""``skeletonllm train | evaluate | infer``: run an experiment described by one spec."""

from __future__ import annotations

import json
import sys

import click


def _echo_threads() -> None:
    """One line on stderr: the torch thread count this command computes with, and why (rank 0 only)."""
    from .. import distributed
    from ..threads import configure_threads

    obj = click.get_current_context().find_root().obj or {}
    choice = obj.get("threads") or configure_threads()
    if distributed.rank() == 0:
        click.echo(choice.describe(), err=True)


def _pipeline(
    spec: str,
    device: str | None,
    checkpoint: str | None = None,
    untrained: bool = False,
    allow_mismatch: bool = False,
    allow_unverified: bool = False,
):
    """A pipeline with trained weights, taken by the rule every command shares (``accept_checkpoint``).

    Refuses a spec that was never trained (unless ``--untrained``) and a checkpoint written by
    another spec (unless ``--allow-spec-mismatch``) or without an integrity record (unless
    ``--allow-unverified``), before the model is built. Returns the
    pipeline and what was accepted (its folder and manifest).
    """
    from ..checkpoint_checks import accept_checkpoint
    from ..pipeline import Pipeline
    from ..spec import load_spec
    from ..training import load_trained

    validated = load_spec(spec)
    accepted = accept_checkpoint(spec, validated.spec, checkpoint, untrained, allow_mismatch, allow_unverified)
    for note in accepted.notes:
        click.echo(note, err=True)
    pipeline = Pipeline(validated, device)
    if accepted.path is not None:
        load_trained(pipeline, accepted.path, accepted.unverified, warn=False)  # the notes said it
    return pipeline, accepted


def _evaluate_and_report(pipeline, spec: str, checkpoint, out: str | None) -> dict:
    from ..evaluation import evaluate_with_report

    metrics, report = evaluate_with_report(pipeline, spec=spec, checkpoint=checkpoint, out=out)
    click.echo(f"report: {report}", err=True)
    return metrics


_UNTRAINED = click.option("--untrained", is_flag=True, help="Use the untrained model when there is no checkpoint.")
_MISMATCH = click.option(
    "--allow-spec-mismatch", "allow_mismatch", is_flag=True, help="Accept a checkpoint written by another spec."
)
_UNVERIFIED = click.option(
    "--allow-unverified",
    "allow_unverified",
    is_flag=True,
    help="Accept a checkpoint whose manifest has no integrity record (weights and configuration unverifiable).",
)


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
    from ..checkpoint import resolve_checkpoint
    from ..errors import SkeletonLLMError
    from ..pipeline import Pipeline
    from ..spec import load_spec
    from ..stop_signals import TrainingStopped
    from ..training import LAST, Trainer

    _echo_threads()
    pipeline = Pipeline(load_spec(spec), device)
    try:
        try:
            history = Trainer(pipeline).fit(resume=not no_resume)
        except TrainingStopped as exc:  # SIGINT/SIGTERM: one line, exit 128 + the signal's number
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        if pipeline.rank != 0:
            return
        if not history:
            raise SkeletonLLMError(
                f"{spec}: nothing was trained: every stage has 0 steps (epochs: 0 and no max_steps), so there is "
                "no trained model to evaluate and no checkpoint; give a stage epochs > 0"
            )
        for h in history:
            click.echo(f"{h['stage']}: {h['steps']} steps, loss {h['loss_first']:.4f} -> {h['loss_last']:.4f}")
        result = _evaluate_and_report(pipeline, spec, pipeline.output_dir / LAST, None)
        click.echo(json.dumps(result, sort_keys=True))
        click.echo(f"checkpoint: {resolve_checkpoint(pipeline.output_dir / LAST) or pipeline.output_dir / LAST}")
    finally:
        distributed.shutdown()


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--checkpoint", default=None, type=click.Path(file_okay=False), help="Default: output_dir/last if present."
)
@click.option("--device", default=None)
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Report folder (default: output_dir/eval).")
@_UNTRAINED
@_MISMATCH
@_UNVERIFIED
def evaluate(
    spec: str,
    checkpoint: str | None,
    device: str | None,
    out: str | None,
    untrained: bool,
    allow_mismatch: bool,
    allow_unverified: bool,
) -> None:
    """Evaluate SPEC's model on its test split: prints the metrics as JSON and writes a report."""
    _echo_threads()
    pipeline, accepted = _pipeline(spec, device, checkpoint, untrained, allow_mismatch, allow_unverified)
    click.echo(json.dumps(_evaluate_and_report(pipeline, spec, accepted.path, out), sort_keys=True))


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--checkpoint", default=None, type=click.Path(file_okay=False))
@click.option("--question", default=None, help="Ask this instead of the recognition question.")
@click.option(
    "--candidates",
    default=None,
    help='Offer these class names instead of the trained ones, comma-separated: "walk,sit down,wave".',
)
@click.option("--device", default=None)
@_UNTRAINED
@_MISMATCH
@_UNVERIFIED
def infer(
    spec: str,
    files: tuple[str, ...],
    checkpoint: str | None,
    question: str | None,
    candidates: str | None,
    device: str | None,
    untrained: bool,
    allow_mismatch: bool,
    allow_unverified: bool,
) -> None:
    """Answer for each skeleton FILE with SPEC's (trained) model.

    One line per clip: the file (``file#k`` for the k-th sequence of a file that holds
    several), a tab, the model's answer. Without ``--question`` the model names the action
    among the spec's class names, or among ``--candidates`` (your own classes, or actions it
    never trained on); the names are listed on stderr. A question of a kind its training
    never asked (a free question to a model taught only to name actions) is answered anyway,
    with a warning that says what the answer can be. A file that cannot be read is reported
    on stderr, the others are answered, and the exit status is 1.
    """
    from ..tasks import normalise, parse_answer, parse_candidates

    names = parse_candidates(candidates) if candidates is not None else None  # before the model loads
    if names is not None and question:
        raise click.UsageError("give --question or --candidates, not both")
    _echo_threads()
    pipeline, accepted = _pipeline(spec, device, checkpoint, untrained, allow_mismatch, allow_unverified)
    _say_what_the_answer_is(pipeline, accepted, question, names)
    offered = {normalise(n) for n in names or ()}
    failed = 0
    for answer in pipeline.infer(list(files), question, names):
        if answer.error is not None:
            failed += 1
            click.echo(f"error: {answer.clip}: {answer.error.message}", err=True)
            continue
        click.echo(f"{answer.clip}\t{answer.output.strip()}")
        if names is not None and parse_answer(answer.example, answer.output) not in offered:
            click.echo(f"{answer.clip}: the answer names none of the {len(names)} candidates", err=True)
    if failed:
        raise click.exceptions.Exit(1)


def _say_what_the_answer_is(pipeline, accepted, question: str | None, candidates: list[str] | None = None) -> None:
    """On stderr: the names a recognition answer is chosen among, or why a question may be beyond the model."""
    from ..manifest import question_warning, trained_tasks
    from ..tasks import TaskKind

    names = list(pipeline.class_names)
    if candidates is not None:
        click.echo(f"candidates: the answer is a choice among the {len(candidates)} names given: "
                   f"{', '.join(candidates)}", err=True)  # fmt: skip
        return
    if not question:
        click.echo(f"candidates: the answer is a choice among {len(names)} class names: {', '.join(names)}", err=True)
        return
    if accepted.path is None:
        return  # the untrained model: already said
    warning = question_warning(trained_tasks(accepted.manifest, accepted.path), TaskKind.QA, names, accepted.path)
    if warning:
        click.echo(warning, err=True)
