"""The ``folder`` dataset's index: a CSV with ``file,class`` and optional ``subject``, ``split``, ``sequence``.

Reading the CSV is kept apart from reading skeleton files: the spec check
(``skeletonllm validate``) reads only this table, which is cheap, while the
dataset's sample index also opens every file. Every problem names the CSV
row (1-based, the header is row 1) so the user can fix the line at once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from skeletonllm.errors import SkeletonDataError

REQUIRED = ("file", "class")
OPTIONAL = ("subject", "split", "sequence")
SPLIT_VALUES = ("train", "test", "val")
#: an index larger than this is not a hand-made list of clips (and would be read whole)
MAX_INDEX_BYTES = 64 << 20


@dataclass(frozen=True)
class Row:
    """One usable line of the index."""

    number: int  # 1-based line of the CSV (the header is line 1)
    file: str
    label_name: str
    subject: str | None
    split: str | None
    sequence: int | None


@dataclass(frozen=True)
class IndexTable:
    """The rows that can be used, the ones that cannot (with why), and which optional columns exist."""

    path: Path
    rows: tuple[Row, ...]
    bad: tuple[tuple[int, str], ...]
    columns: tuple[str, ...]

    @property
    def has_split(self) -> bool:
        return "split" in self.columns

    @property
    def has_subject(self) -> bool:
        return "subject" in self.columns


def read_index(path: Path) -> IndexTable:
    """Parse the CSV; a missing column or an unreadable file is an error, a bad row is kept in ``bad``."""
    if not path.is_file():
        raise SkeletonDataError("the index CSV does not exist (expected columns file,class)", source=path)
    size = path.stat().st_size
    if size > MAX_INDEX_BYTES:
        raise SkeletonDataError(f"the index CSV is {size / 2**20:.0f} MiB, more than 64 MiB", source=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkeletonDataError(f"the index CSV is not UTF-8 text (byte {exc.start})", source=path) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise SkeletonDataError("the index CSV is empty; expected a header line file,class", source=path) from None
    except csv.Error as exc:
        raise SkeletonDataError(f"not a CSV: {exc}", source=path, line=1) from None
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SkeletonDataError(
            f"the header {','.join(header)!r} lacks {', '.join(missing)}; expected file,class "
            f"and optionally {','.join(OPTIONAL)}",
            source=path,
            line=1,
        )
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise SkeletonDataError(
            f"unknown column {unknown[0]!r}; columns are {','.join(REQUIRED + OPTIONAL)}", source=path, line=1
        )
    if len(set(columns)) != len(columns):
        raise SkeletonDataError("a column appears twice in the header", source=path, line=1)
    rows, bad = [], []
    try:
        for number, fields in enumerate(reader, start=2):
            if not any(f.strip() for f in fields):
                continue  # a blank line
            row, problem = _row(number, fields, columns)
            if problem:
                bad.append((number, problem))
            else:
                rows.append(row)
    except csv.Error as exc:
        raise SkeletonDataError(f"not a CSV: {exc}", source=path, line=reader.line_num) from None
    if not rows and not bad:
        raise SkeletonDataError("the index CSV has a header but no rows", source=path)
    return IndexTable(path, tuple(rows), tuple(bad), tuple(columns))


def _row(number: int, fields: list[str], columns: list[str]) -> tuple[Row | None, str | None]:
    if len(fields) != len(columns):
        return None, f"{len(fields)} fields, the header has {len(columns)}"
    value = {c: f.strip() for c, f in zip(columns, fields)}
    if not value["file"]:
        return None, "empty file name"
    if not value["class"]:
        return None, f"{value['file']}: empty class"
    if "split" in value and not value["split"]:
        return None, f"{value['file']}: empty split (the column is there, so every row needs train or test)"
    split = value.get("split") or None
    if split is not None:
        split = split.lower()
        if split not in SPLIT_VALUES:
            return None, f"{value['file']}: split {value['split']!r} is not one of {', '.join(SPLIT_VALUES)}"
    sequence = None
    if value.get("sequence"):
        try:
            sequence = int(value["sequence"])
        except ValueError:
            return None, f"{value['file']}: sequence {value['sequence']!r} is not a whole number"
        if sequence < 0:
            return None, f"{value['file']}: sequence {sequence} is negative (0 is the file's first)"
    if "subject" in value and not value["subject"]:
        return None, f"{value['file']}: empty subject (the column is there, so every row needs one)"
    return Row(number, value["file"], value["class"], value.get("subject") or None, split, sequence), None
