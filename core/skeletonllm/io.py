"""Read any supported file: the format is decided by content (sniffing), not by name.

Also writes the canonical ``.npz`` export, the project's answer to opaque
per-dataset layouts: plain arrays any tool can open with ``numpy.load``
(no pickle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from . import plugin_guard
from .atomic import atomic_write
from .errors import SkeletonDataError
from .registry import BUILTIN_DISTRIBUTION, Registry, get_registry
from .safe_read import CHOOSE_FORMAT, check_input_file, explain_unrecognised, guarded_read
from .sequence import SkeletonSequence

HEAD_BYTES = 4096


def detect_format(
    path: str | Path, registry: Registry | None = None, *, by_content: bool = False, choose: str = CHOOSE_FORMAT
) -> Any:
    """The format plugin instance that claims ``path`` most confidently.

    The suffix breaks ties and, when no sniffer claims the file, names the reader whose
    error is shown; ``by_content`` leaves the name out of it (the web app's uploads keep
    the user's file name, but the page promises detection by content). ``choose`` is how
    the caller's user picks another format, quoted in that error.
    """
    registry = registry or get_registry()
    path = Path(path)
    check_input_file(path)
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise SkeletonDataError("empty file", source=path)
    best, best_score = None, 0.0
    scored = []
    for info in registry.infos("format"):
        fmt = info.cls()
        try:
            score = float(_sniff(fmt, info, path, head))
        except (Exception, SystemExit):  # noqa: BLE001 - a sniffer must never decide by crashing (nor exit)
            score = 0.0
        scored.append((fmt, score if score == score else 0.0))
        if not by_content and path.suffix.lower() in getattr(fmt, "suffixes", ()):
            score += 0.01  # suffix breaks ties only
        if score > best_score:
            best, best_score = fmt, score
    if best is None or best_score < 0.1:  # that reader's own error, or a format after all
        return explain_unrecognised(path, scored, registry, by_content=by_content, choose=choose)
    return best


def _sniff(fmt: Any, info: Any, path: Path, head: bytes) -> Any:
    """A built-in sniffer runs inline; a third-party one that never returns is skipped after a few seconds."""
    if info.distribution == BUILTIN_DISTRIBUTION:
        return fmt.sniff(path, head)
    doing = f"waiting for format {info.name!r} (plugin {info.plugin!r} from distribution {info.distribution!r}) to sniff {path}"
    return plugin_guard.call_with_timeout(lambda: fmt.sniff(path, head), plugin_guard.SNIFF_TIMEOUT_S, doing, 0.0)


def read_sequences(
    path: str | Path,
    format: str | None = None,
    registry: Registry | None = None,
    options: dict[str, Any] | None = None,
    *,
    by_content: bool = False,
    choose: str = CHOOSE_FORMAT,
) -> list[SkeletonSequence]:
    """Every sequence in ``path``; ``format`` forces a plugin by name instead of sniffing.

    ``options`` configure the format plugin (validated by its Options model), e.g. AMASS's
    ``body_model``; they apply to whichever format reads the file. ``by_content`` and
    ``choose``: see :func:`detect_format`.
    """
    registry = registry or get_registry()
    path = Path(path)
    check_input_file(path)  # before any open: a named pipe would block forever
    fmt = (
        registry.create("format", format)
        if format
        else detect_format(path, registry, by_content=by_content, choose=choose)
    )
    if options:
        fmt = registry.create("format", fmt.name, options)
    sequences = guarded_read(fmt, path, registry)
    for s in sequences:
        s.meta.setdefault("source", str(path))
        s.meta.setdefault("format", fmt.name)
    return sequences


def parse_options(pairs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``["body_model=/m/smplh.npz", "fps=30"]`` -> dict; values are read as YAML scalars."""
    import yaml

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SkeletonDataError(f"option {pair!r} is not KEY=VALUE")
        out[key.strip()] = yaml.safe_load(value) if value.strip() else ""
    return out


def output_stem(path: str | Path, suffixes: tuple[str, ...] = ()) -> str:
    """The file name without its format suffix: the longest declared one that matches, else the last one.

    A format declaring ``.blab.csv`` turns ``clip.blab.csv`` into ``clip``; a plain ``.csv``
    format keeps the dotted name ``clip.blab``.
    """
    name = Path(path).name
    for suffix in sorted(suffixes, key=len, reverse=True):
        if suffix and name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def export_npz(sequence: SkeletonSequence, path: str | Path) -> Path:
    """Write the canonical ``.npz``: positions (M,T,V,C), mask, orientations?, joint_names, edges, fps, format."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {
        "positions": sequence.positions.astype(np.float32),
        "mask": sequence.mask,
        "joint_names": np.array(sequence.topology.joint_names, dtype=np.str_),
        "edges": np.array(sequence.topology.edges, dtype=np.int64).reshape(-1, 2),
        "fps": np.float32(sequence.fps if sequence.fps else np.nan),
        "format": np.array(str(sequence.meta.get("format", ""))),
    }
    if sequence.orientations is not None:
        arrays["orientations"] = sequence.orientations.astype(np.float32)
    if sequence.confidence is not None:
        arrays["confidence"] = sequence.confidence.astype(np.float32)
    for key, value in sequence.extras.items():  # e.g. NTU tracking state, depth/colour pixels
        arrays[f"extra_{key}"] = np.asarray(value)
    with atomic_write(path) as tmp, open(tmp, "wb") as fh:  # a file object: savez adds no suffix
        np.savez_compressed(fh, **arrays)
    return path
