"""Shared helpers for the text readers: numbered lines, typed fields, one error style.

Every text format reports bad input the same way: the file, the 1-based line
number, the field and what was expected. Keeping that logic here means the
NTU, PKU-MMD, BVH and JSON readers cannot drift apart in how they complain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from skeletonllm.errors import SkeletonDataError
from skeletonllm.safe_read import check_input_file

_JSON_NUMBER_TYPES = {int, float, type(None)}


def one_line(exc: BaseException) -> str:
    """A library's exception text on one line (the CLI prints one line per problem)."""
    return " ".join(str(exc).split())


def read_text(path: Path) -> str:
    """The whole file as text; undecodable bytes are a data error, not a UnicodeDecodeError.

    A named pipe or device is refused before it is opened, also when a dataset plugin calls
    a reader directly (not through ``read_sequences``, which checks too).
    """
    check_input_file(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SkeletonDataError(f"cannot read file: {exc.strerror or exc}", source=path) from None
    if not raw.strip():
        raise SkeletonDataError("empty file, expected skeleton data", source=path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SkeletonDataError(
            f"byte {exc.start} is not UTF-8 text (expected a text file)", source=path, line=line
        ) from None


class LineReader:
    """Walks the non-split lines of a text file, remembering 1-based line numbers for errors."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.pos = 0  # index of the next line to read

    @property
    def line_no(self) -> int:
        """1-based number of the line most recently returned."""
        return self.pos

    def at_end(self) -> bool:
        return all(not ln.strip() for ln in self.lines[self.pos :])

    def next_fields(self, what: str, frame: int | None = None) -> list[str]:
        """The whitespace-separated fields of the next line; running out is a truncation error."""
        if self.pos >= len(self.lines):
            raise SkeletonDataError(
                f"file ends early: expected {what} at line {self.pos + 1}",
                source=self.path,
                line=self.pos + 1,
                frame=frame,
            )
        fields = self.lines[self.pos].split()
        self.pos += 1
        return fields

    def error(self, message: str, frame: int | None = None, field: str | None = None) -> SkeletonDataError:
        return SkeletonDataError(message, source=self.path, line=self.line_no, frame=frame, field=field)

    def next_int(self, what: str, frame: int | None = None, minimum: int = 0) -> int:
        """A line holding exactly one integer (a count)."""
        fields = self.next_fields(what, frame)
        if len(fields) != 1:
            raise self.error(f"expected one integer ({what}), got {len(fields)} fields", frame, what)
        return parse_int(fields[0], self, what, frame, minimum)

    def next_floats(self, count: int, what: str, frame: int | None = None) -> list[float]:
        """A line of exactly ``count`` numbers."""
        fields = self.next_fields(what, frame)
        if len(fields) != count:
            raise self.error(f"expected {count} numbers ({what}), got {len(fields)}", frame, what)
        try:
            return list(map(float, fields))  # fast path; the slow one below only names the bad column
        except ValueError:
            return [parse_float(tok, self, what, frame, i) for i, tok in enumerate(fields)]


def parse_int(token: str, reader: LineReader, what: str, frame: int | None = None, minimum: int = 0) -> int:
    try:
        value = int(token)
    except ValueError:
        raise reader.error(f"{token[:40]!r} is not an integer (expected {what})", frame, what) from None
    if value < minimum:
        raise reader.error(f"{value} is below {minimum} (expected {what})", frame, what)
    return value


def parse_float(token: str, reader: LineReader, what: str, frame: int | None = None, column: int = 0) -> float:
    try:
        return float(token)
    except ValueError:
        raise reader.error(
            f"{token[:40]!r} in column {column + 1} is not a number (expected {what})", frame, what
        ) from None


def format_floats(values: np.ndarray) -> str:
    """Space-separated shortest text that reads back as the same float32 (``nan`` for missing joints).

    numpy's ``str`` of a float32 scalar is the shortest round-tripping form, so a
    value read from a file is written back as the file had it (``3.785547``, not
    ``3.78554702``) while any float32 still survives a write/read exactly.
    """
    return " ".join(map(str, np.asarray(values, dtype=np.float32).ravel()))


def read_json(path: Path) -> Any:
    """Parsed JSON; syntax errors name the line and column."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SkeletonDataError(
            f"invalid JSON at column {exc.colno}: {exc.msg}", source=path, line=exc.lineno
        ) from None
    except RecursionError:
        raise SkeletonDataError("JSON nested too deeply", source=path) from None


def _first_non_number(value: Any, where: tuple[int, ...] = ()) -> tuple[tuple[int, ...], Any] | None:
    """Index path and value of the first cell that is not a JSON number or null."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_non_number(item, (*where, i))
            if found:
                return found
        return None
    return None if type(value) in _JSON_NUMBER_TYPES else (where, value)


def numeric_array(value: Any, shape_tail: tuple[int, ...], path: Path, field: str) -> np.ndarray:
    """A nested JSON list as a float64 (frames, *shape_tail) array; the first bad cell is named by frame.

    JSON ``null`` (how NaN is usually written) becomes NaN, which the sequence turns into mask False.
    Strings that look like numbers are refused: a quoted number is a broken file, not data.
    """
    bad = _first_non_number(value)
    if bad is not None:
        index, cell = bad
        raise SkeletonDataError(
            f"{cell!r:.40} at index {list(index)} is not a number",
            source=path,
            frame=index[0] if index else None,
            field=field,
        )
    try:
        arr = np.array(value, dtype=np.float64)
    except (ValueError, TypeError):
        arr = None
    if arr is None or arr.ndim != 1 + len(shape_tail) or arr.shape[1:] != shape_tail:
        got = "a ragged nested list" if arr is None else f"shape {arr.shape}"
        raise SkeletonDataError(
            f"expected shape (frames, {', '.join(map(str, shape_tail))}), got {got}", source=path, field=field
        )
    return arr


def decoded_head(head: bytes) -> str:
    """The sniffing head as text, dropping a possibly cut last line."""
    text = head.decode("utf-8", errors="replace")
    if len(head) >= 4096 and "\n" in text:
        text = text[: text.rfind("\n")]
    return text
