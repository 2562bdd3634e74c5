"""``skeletonllm info FILE...``: what is in a skeleton file, without opening a notebook."""

from __future__ import annotations

import json
import math

import click

from ..summary import sequence_summary
from ..summary import shown_value as _cell  # numbers as the app shows them too
from ..wording import counted


def _json_value(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else value


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per sequence.")
@click.option("--format", "fmt", default=None, help="Force a format plugin instead of sniffing.")
@click.option("-O", "--option", "option", multiple=True, help="Format option KEY=VALUE (e.g. body_model=PATH).")
def info(files: tuple[str, ...], as_json: bool, fmt: str | None, option: tuple[str, ...]) -> None:
    """Format, persons, frames, joints, dims, fps and duration of each file.

    A file that cannot be read is reported on its own line; the others are still listed,
    and the exit status is 1.
    """
    from ..io import parse_options, read_sequences
    from ..progress import progress
    from ..registry import get_registry
    from .each_file import FileErrors

    options = parse_options(option)  # what applies to every file fails once, before any is read
    if fmt:
        get_registry().info("format", fmt)
    rows = []
    errors = FileErrors()
    for path in progress(files, desc="reading", unit="file"):
        with errors.one(path):
            seqs = read_sequences(path, fmt, options=options)
            rows += [sequence_summary(path, seq, i if len(seqs) > 1 else None) for i, seq in enumerate(seqs)]
    if as_json:  # strict JSON: a value that is not a finite number is null, never NaN or Infinity
        click.echo(json.dumps([{k: _json_value(v) for k, v in r.items()} for r in rows], indent=2, allow_nan=False))
    elif rows or not errors.failed:
        _table(rows, len(files) - len(errors.failed))
    errors.finish(len(files))


def _table(rows: list[dict], files: int) -> None:
    cols = ["path", "format", "persons", "frames", "joints", "dims", "fps", "duration", "has_orientations"]
    cells = [[_cell(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(cols, widths)))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)))
    click.echo(f"{counted(len(rows), 'sequence')} in {counted(files, 'file')}")
