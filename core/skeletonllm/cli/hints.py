"""Notes printed after a spec's problems, where the problems alone would mislead.

The example specs in ``docs/specs`` name datasets and models at paths of the machine they
were written for (``/data/...``, ``/models/...``). On another machine ``validate`` reports
each as "does not exist", which reads like a broken spec; the note says they are
placeholders to edit.
"""

from __future__ import annotations

import re
from pathlib import Path

_MISSING = re.compile(r"^(?P<field>[\w.\[\]]+): (?P<path>/.+) does not exist$")


def placeholder_note(problems: list[str]) -> str | None:
    """One note when missing paths sit under top-level folders this machine does not have at all."""
    fields, tops = [], []
    for problem in problems:
        match = _MISSING.match(problem)
        if not match:
            continue
        parts = Path(match["path"]).parts
        top = Path(*parts[:2]) if len(parts) > 1 else None
        if top is not None and not top.exists():
            fields.append(match["field"])
            tops.append(str(top))
    if not fields:
        return None
    folders = ", ".join(dict.fromkeys(tops))
    return (
        f"note: {folders} {'does' if len(set(tops)) == 1 else 'do'} not exist on this machine: "
        f"{', '.join(fields)} look like placeholder paths (an example spec's, written for another machine); "
        "edit them to where your dataset and model are"
    )
