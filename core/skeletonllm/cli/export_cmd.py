"""``skeletonllm export FILE... -o OUT``: any supported file to one canonical ``.npz`` per sequence."""

from __future__ import annotations

from pathlib import Path

import click

from ..wording import counted


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--format", "fmt", default=None, help="Force a format plugin instead of sniffing.")
@click.option("-O", "--option", "option", multiple=True, help="Format option KEY=VALUE (e.g. body_model=PATH).")
def export(files: tuple[str, ...], out: str, fmt: str | None, option: tuple[str, ...]) -> None:
    """Write positions (M,T,V,C), mask, orientations, joint_names, edges, fps, format as .npz.

    A file that cannot be read is reported on its own line; the others are still exported,
    and the exit status is 1.
    """
    from ..io import export_npz, output_stem, parse_options, read_sequences
    from ..progress import progress
    from ..registry import get_registry
    from .each_file import FileErrors

    options = parse_options(option)  # what applies to every file fails once, before any is read
    if fmt:
        get_registry().info("format", fmt)
    out_dir = Path(out)
    written = 0
    errors = FileErrors()
    taken: dict[str, str] = {}  # output name -> the input it was written from, in this run
    for path in progress(files, desc="exporting", unit="file"):
        with errors.one(path):
            seqs = read_sequences(path, fmt, options=options)
            suffixes = get_registry().get("format", seqs[0].meta["format"]).suffixes if seqs else ()
            stem = output_stem(path, suffixes)
            names = [f"{stem}.npz"] if len(seqs) == 1 else [f"{stem}_{i:04d}.npz" for i in range(len(seqs))]
            check_names_free(names, path, taken, out_dir)  # before writing any: one file, all or nothing
            for seq, name in zip(seqs, names):
                export_npz(seq, out_dir / name)
                taken[name] = path
                written += 1
    click.echo(f"wrote {counted(written, '.npz file')} to {out_dir}")
    errors.finish(len(files))


def check_names_free(names: list[str], path: str, taken: dict[str, str], out_dir: Path) -> None:
    """Refuse to write an output name another input of this run already wrote (one export would be lost).

    ``a/clip.skeleton`` and ``b/clip.txt`` both become ``clip.npz``; the third sequence of
    ``x.pkl`` (``x_0002.npz``) meets an input called ``x_0002.bvh``. The first file keeps the name.
    """
    from ..errors import SkeletonDataError

    clashes = [(name, taken[name]) for name in names if name in taken]
    if clashes:
        name, other = clashes[0]
        more = f" (and {len(clashes) - 1} more names)" if len(clashes) > 1 else ""
        raise SkeletonDataError(
            f"would be exported to {out_dir / name}{more}, which {other} was just exported to; "
            "nothing written for this file: export it into another folder, or rename it",
            source=path,
        )
