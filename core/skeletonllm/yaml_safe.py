"""Read a YAML spec strictly: known encodings, no duplicate keys, bounded nesting and aliases.

``yaml.safe_load`` already refuses to build objects, but it silently keeps
the *last* of two ``renderer:`` sections, recurses until Python's stack runs
out on a file nested thousands deep, expands a few lines of aliases into
billions of nodes, and raises ``UnicodeDecodeError`` on a file saved as
Latin-1. Every one of those becomes a ``SpecError`` naming the line here.
Everything goes through ``yaml.SafeLoader`` subclasses, never ``yaml.load``.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError

#: deeper than any real spec (about 4 levels) by far, shallow enough for the recursive composer
MAX_DEPTH = 64
#: a spec has no reason for many aliases; many of them is how an alias bomb looks
MAX_ALIASES = 100

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class YamlProblem(Exception):
    """Raised inside the loader; carries a 1-based line for the SpecError."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class StrictSafeLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses duplicate keys, deep nesting and alias bombs."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                line = self.peek_event().start_mark.line + 1
                raise YamlProblem(f"more than {MAX_ALIASES} aliases (*name); a spec does not need them", line)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            line = self.peek_event().start_mark.line + 1
            raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels", line)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if first is not None:
                raise YamlProblem(f"duplicate key {key!r} (first at line {first}); remove one of them", line)
            seen[key] = line
        return super().construct_mapping(node, deep)


def decode_spec(raw: bytes) -> str:
    """Text of a spec file: UTF-8 (BOM optional), or UTF-16/32 when a BOM or NUL pattern says so."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise YamlProblem(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding}: {exc.reason}"
                ) from None
    if len(raw) >= 2 and (raw[0] == 0) != (raw[1] == 0):  # ASCII in UTF-16 without a BOM
        encoding = "utf-16-be" if raw[0] == 0 else "utf-16-le"
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded; save the spec as UTF-8", line
        ) from None


def load_yaml_bytes(raw: bytes, source: str | None = None) -> Any:
    """Parse a spec's bytes; every problem is a ``SpecError`` with its line."""
    try:
        text = decode_spec(raw)
        if "\x00" in text:
            raise YamlProblem("holds NUL characters; a spec is a text file")
        loader = StrictSafeLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except YamlProblem as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise SpecError([f"{where}{exc}"], source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError([f"{where}invalid YAML: {getattr(exc, 'problem', None) or exc}"], source) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps the composer far from the limit
        raise SpecError([f"nested too deeply (limit {MAX_DEPTH} levels)"], source) from None


def read_yaml_file(path: str | Path) -> Any:
    """Read and parse a spec file; unreadable paths are a ``SpecError`` too."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():  # a named pipe would block read_bytes forever
            raise SpecError(["is not a regular file (a folder, pipe or device?); expected a YAML spec"], str(path))
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([f"cannot read spec: {exc.strerror or exc}"], str(path)) from None
    return load_yaml_bytes(raw, str(path))
