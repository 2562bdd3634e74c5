"""Exceptions a user can act on.

Every error a user can cause carries *where* it happened (file, frame, field)
and *what was expected*, so the CLI can print one line instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path


class SkeletonLLMError(Exception):
    """Base class: the CLI prints these as one line on stderr (no traceback)."""


class SkeletonDataError(SkeletonLLMError, ValueError):
    """Bad skeleton data: names the source, the location in it and what was expected.

    Subclasses ``ValueError`` so callers that only know the standard library
    still catch it, but carries structured fields so tests and tools can
    check *which* frame or field was wrong.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        line: int | None = None,
        frame: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = str(source) if source is not None else None
        self.line = line
        self.frame = frame
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.frame is not None:
            where.append(f"frame {self.frame}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class PluginError(SkeletonLLMError):
    """A plugin is broken or two plugins disagree (duplicate names, bad registration)."""


class UnknownPluginError(SkeletonLLMError, KeyError):
    """No plugin of that kind has that name; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownGroupError(SkeletonLLMError, KeyError):
    """A stage asked to train a parameter group the backbone does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OptionsError(SkeletonLLMError, ValueError):
    """A component's options failed its plugin's Options model (names the component and fields)."""


class SpecError(SkeletonLLMError):
    """A pipeline spec is invalid; ``problems`` holds one ``path: message`` line each."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + "; ".join(problems))


class CheckpointError(SkeletonLLMError):
    """A checkpoint is missing, corrupt, or was made for another model."""
