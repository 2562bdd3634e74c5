"""Read answers back from generated text: ``Label: <action>`` and YES/NO.

Kept separate from the prompts so metrics and stages can parse answers
without importing anything model-related.
"""

from __future__ import annotations

import re

_LABEL = re.compile(r"label\s*:", re.IGNORECASE)
_YES_NO = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


def parse_label(text: str) -> str | None:
    """Text after the *last* ``Label:`` (case-insensitive) on its line, lower-cased and trimmed.

    The last one wins because a rationale may quote the format before giving
    the answer. Trailing full stops and quotes are dropped, since models add
    them. ``None`` when no label is present or it is empty.
    """
    matches = list(_LABEL.finditer(text))
    if not matches:
        return None
    rest = text[matches[-1].end() :]
    line = rest.split("\n", 1)[0]
    label = line.strip().strip("\"'`").strip().rstrip(".").strip().lower()
    return label or None


def parse_yes_no(text: str) -> bool | None:
    """``True`` for YES, ``False`` for NO (the first of the two words found), ``None`` if neither."""
    match = _YES_NO.search(text)
    if match is None:
        return None
    return match.group(1).lower() == "yes"
