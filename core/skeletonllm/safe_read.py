"""Guards around reading one input file: what it is, which reader explains it best, and readers that misbehave.

Three failure modes this module turns into one clear line each:

* a path that is not a regular file: a named pipe would block ``open`` forever,
  a symbolic-link loop would otherwise be reported as "no such file";
* a file no sniffer claims, although its suffix or a weak content hint points
  to one format: that reader's own error ("line 12: expected '{'") says far
  more than "not a recognised skeleton file";
* a reader (often a third-party plugin) that raises a bare exception or returns
  something other than a list of sequences: the error names the plugin.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

from .errors import SkeletonDataError, SkeletonLLMError

#: how a command-line user picks another format (the web app says it its own way)
CHOOSE_FORMAT = "use --format to choose another"

_KINDS = {
    stat.S_ISFIFO: "a named pipe (FIFO)",
    stat.S_ISSOCK: "a socket",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
}


def regular_file_problem(path: str | Path, expected: str = "a regular file") -> str | None:
    """Why ``path`` is not an existing regular file (checked with ``stat``, never opened), or None.

    Every reader of a file a user names (skeleton files, checkpoints, teacher files, specs)
    asks this first: opening a named pipe blocks forever, reading ``/dev/zero`` never ends.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (a link that points back to itself)"
        if exc.errno == errno.ENOENT:
            return f"broken symbolic link to {os.readlink(path)}" if os.path.islink(path) else "no such file"
        if exc.errno == errno.ENAMETOOLONG:
            return "file name too long"
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return f"is a directory, expected {expected}"
    if not stat.S_ISREG(info.st_mode):
        kind = next((what for test, what in _KINDS.items() if test(info.st_mode)), "not a regular file")
        return f"is {kind}, expected {expected}"
    return None


def check_input_file(path: Path) -> None:
    """Refuse anything but an existing regular file, without opening it (a FIFO would block)."""
    problem = regular_file_problem(path, "a regular skeleton file")
    if problem is None:
        return
    if problem == "file name too long":
        raise SkeletonDataError(problem, source=Path(str(path)[:80] + "..."))
    if problem.startswith("is a directory"):
        problem = "is a directory, expected a skeleton file"
    raise SkeletonDataError(problem, source=path)


def plugin_label(fmt: Any, registry: Any) -> str:
    """``format 'x' (plugin 'p' from distribution 'd')``, or just the format when it is unregistered."""
    name = getattr(fmt, "name", type(fmt).__name__)
    try:
        info = registry.info("format", name)
    except SkeletonLLMError:
        return f"format {name!r}"
    return f"format {name!r} (plugin {info.plugin!r} from distribution {info.distribution!r})"


def guarded_read(fmt: Any, path: Path, registry: Any) -> list:
    """``fmt.read(path)``; a reader's bare exception or wrong return type is an error naming its plugin."""
    from .sequence import SkeletonSequence

    try:
        sequences = fmt.read(path)
    except SkeletonLLMError:
        raise
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a reader bug (or a sys.exit()); name who to blame
        raise SkeletonDataError(
            f"{plugin_label(fmt, registry)} failed: {type(exc).__name__}: {str(exc)[:300]}", source=path
        ) from exc
    if not isinstance(sequences, list) or not all(isinstance(s, SkeletonSequence) for s in sequences):
        raise SkeletonDataError(
            f"{plugin_label(fmt, registry)} returned {type(sequences).__name__}, expected a list of SkeletonSequence",
            source=path,
        )
    for index, sequence in enumerate(sequences):
        _check_returned(sequence, index, fmt, path, registry)
    return sequences


def _check_returned(sequence: Any, index: int, fmt: Any, path: Path, registry: Any) -> None:
    """What a reader returns is not believed: a rate or positions changed after construction are checked again.

    ``SkeletonSequence`` validates itself when made, but a plugin may set ``fps`` or write into
    ``positions`` afterwards: a NaN or infinite rate is refused (naming the plugin), and
    non-finite positions become missing joints, as on construction. (A sequence with no joint
    present is kept: real COCO files hold annotations with no labelled keypoint.)
    """
    import numpy as np

    from .sequence import checked_fps

    try:
        sequence.fps = checked_fps(sequence.fps)
    except SkeletonDataError as exc:
        raise SkeletonDataError(
            f"{plugin_label(fmt, registry)} returned sequence {index} with {exc.message}", source=path, field="fps"
        ) from None
    finite = np.isfinite(sequence.positions).all(axis=-1)
    if not finite.all():
        sequence.mask = np.asarray(sequence.mask, dtype=bool) & finite
        sequence.positions = np.where(finite[..., None], sequence.positions, np.float32(0.0)).astype(np.float32)


def explain_unrecognised(
    path: Path, scored: list[tuple[Any, float]], registry: Any, *, by_content: bool = False, choose: str = CHOOSE_FORMAT
) -> Any:
    """No sniffer claimed ``path``: read it with the formats its suffix or content hints at.

    ``scored`` holds ``(format, sniff score)`` for every format. Returns a format that
    *can* read the file after all (its sniffer was too strict), or raises the most
    specific error there is: the one hinted reader's, or each hinted reader's in turn.
    ``by_content``: the suffix hints at nothing; ``choose`` ends the one-reader error.
    """
    suffix = "" if by_content else path.suffix.lower()
    hinted = [(fmt, score) for fmt, score in scored if score > 0 or (suffix and suffix in getattr(fmt, "suffixes", ()))]
    hinted.sort(key=lambda pair: -pair[1])
    if hinted and hinted[0][1] > 0:
        hinted = [pair for pair in hinted if pair[1] == hinted[0][1]]  # content beats the suffix
    errors: list[tuple[Any, SkeletonDataError]] = []
    for fmt, _score in hinted:
        try:
            guarded_read(fmt, path, registry)
        except SkeletonDataError as exc:
            errors.append((fmt, exc))
            continue
        return fmt
    known = ", ".join(registry.names("format")) or "none installed"
    if len(errors) == 1:
        fmt, exc = errors[0]
        why = f"its suffix {suffix}" if suffix and suffix in getattr(fmt, "suffixes", ()) else "its content"
        raise SkeletonDataError(
            f"{exc.message} (read as {fmt.name}, chosen by {why}; {choose})",
            source=exc.source or path,
            line=exc.line,
            frame=exc.frame,
            field=exc.field,
        ) from None
    if errors:
        details = "; ".join(f"as {fmt.name}: {_without_source(exc)}" for fmt, exc in errors)
        raise SkeletonDataError(f"not a recognised skeleton file; {details}", source=path)
    raise SkeletonDataError(f"not a recognised skeleton file (formats tried: {known})", source=path)


def _without_source(exc: SkeletonDataError) -> str:
    text = str(exc)
    prefix = f"{exc.source}, " if exc.source else ""
    if prefix and text.startswith(prefix):
        return text[len(prefix) :]
    if exc.source and text.startswith(f"{exc.source}: "):
        return text[len(exc.source) + 2 :]
    return text
