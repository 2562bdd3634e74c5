"""Small wording helpers for what commands print, so counts read as English ("1 file", "2 files")."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``counted(1, "sequence")`` -> ``1 sequence``; ``counted(3, "file")`` -> ``3 files``."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
