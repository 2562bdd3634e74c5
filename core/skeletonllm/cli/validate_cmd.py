"""``skeletonllm validate SPEC``: every problem with its YAML path, before anything heavy loads."""

from __future__ import annotations

import click


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--no-data",
    is_flag=True,
    help="Skip listing and reading the training and test clips (and checking the teacher covers them).",
)
def validate(spec: str, no_data: bool) -> None:
    """Check a pipeline spec against the installed plugins and its data; prints OK or every error.

    Besides every section's options and how the sections fit together, the training and
    test splits are listed, every clip is read and the teacher is checked to cover every
    training clip, as ``train`` would, so a bad clip fails here rather than at step 1000.
    """
    from ..errors import SpecError
    from ..spec import load_spec
    from ..spec_data import data_problems

    validated = load_spec(spec)  # SpecError -> one line per problem, exit 1 (see cli.__init__)
    if no_data:
        click.echo("OK (data not read: --no-data)")
        return
    problems = data_problems(validated)
    if problems:
        raise SpecError(problems, spec)
    click.echo("OK")
