"""``skeletonllm validate SPEC``: every problem with its YAML path, before anything heavy loads."""

from __future__ import annotations

import click


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
def validate(spec: str) -> None:
    """Check a pipeline spec against the installed plugins; prints OK or every error."""
    from ..spec import load_spec

    load_spec(spec)  # SpecError -> one line per problem, exit 1 (see cli.__init__)
    click.echo("OK")
