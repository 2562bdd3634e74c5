"""``skeletonllm plugins``: what is installed, by kind, and where it came from."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--kind", default=None, help="Only this kind (format, renderer, backbone, ...).")
def plugins(as_json: bool, kind: str | None) -> None:
    """List registered components: name, kind, distribution, version."""
    from ..registry import get_registry

    reg = get_registry()
    rows = [
        {
            "name": i.name,
            "kind": i.kind,
            "distribution": i.distribution,
            "version": i.version,
            "entry_point": i.entry_point.split(" = ")[0],
            "summary": i.summary,
        }
        for i in reg.infos(kind)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    widths = {k: max([len(k)] + [len(str(r[k])) for r in rows]) for k in ("kind", "name", "distribution", "version")}
    header = "  ".join(k.upper().ljust(widths[k]) for k in widths) + "  SUMMARY"
    click.echo(header)
    for r in rows:
        click.echo("  ".join(str(r[k]).ljust(widths[k]) for k in widths) + "  " + r["summary"])
    click.echo(f"{len(rows)} components from {len({r['entry_point'] for r in rows})} plugins")
