"""``skeletonllm synth``: write procedural SynthAct clips as real files in any writable format.

Contributed to the CLI through the ``register_commands`` hook. This module imports only
click; the generator is imported when the command runs, so ``skeletonllm --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--format", "fmt", required=True, help="Format plugin to write (ntu_skeleton, nw_ucla, humanml3d, ...).")
@click.option("--n", "n", default=200, show_default=True, type=click.IntRange(min=1), help="Number of clips.")
@click.option("--seed", default=0, show_default=True, type=int, help="Benchmark seed (same seed, same clips).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--action", "actions", multiple=True, help="Only these actions (repeatable); default: all.")
@click.option("--frames", default=None, type=click.IntRange(min=2), help="Resample every clip to this many frames.")
@click.option("--clean", is_flag=True, help="No randomisation: average body, front-facing, speed 1, no noise.")
def synth(fmt: str, n: int, seed: int, out_dir: str, actions: tuple[str, ...], frames: int | None, clean: bool) -> None:
    """Generate labelled actions (the same motion in every topology) and write them with FORMAT's writer."""
    from skeletonllm.progress import progress

    from .synthetic.export import write_synthetic

    files, notes = write_synthetic(
        fmt,
        n,
        seed,
        Path(out_dir),
        actions=list(actions) or None,
        frames=frames,
        randomize=not clean,
        progress=lambda items: progress(items, desc=f"writing {fmt}", unit="clip", total=n),
    )
    extra = f" ({'; '.join(notes)})" if notes else ""
    click.echo(f"wrote {len(files)} {fmt} files and labels.csv to {out_dir}{extra}")
