"""A folder built once from a source file, written atomically, reused on every later run.

``preset: smol`` de-quantises a GGUF file (tens of seconds) into safetensors
(a tenth of a second to reload). The expensive build writes into a temporary
sibling folder that is renamed into place only when complete, and a
``cache.json`` manifest, written last, records the source fingerprint and the
size of every file. So a killed conversion leaves no folder that looks done,
and a folder damaged later (a truncated file, a deleted manifest) is named
in a clear error instead of surfacing as a stack trace inside safetensors.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skeletonllm.errors import SkeletonLLMError

MANIFEST = "cache.json"
ENV_VAR = "SKELETONLLM_CACHE"


class CacheError(SkeletonLLMError):
    """A cache folder exists but is not a complete build of what was asked for."""


def default_cache_root() -> Path:
    """``$SKELETONLLM_CACHE``, else ``$XDG_CACHE_HOME/skeletonllm``, else ``~/.cache/skeletonllm``.

    ``SKELETONLLM_CACHE`` is the variable the dataset cache already honours, so one
    setting moves every derived file the project writes.
    """
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "skeletonllm"


def fingerprint_folder(root: Path, name: str, fingerprint: dict[str, Any]) -> Path:
    """``root/name-<hash>``: a new source (another package version) gets its own folder, never a stale one."""
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:10]
    return root / f"{name}-{digest}"


def check(folder: Path, fingerprint: dict[str, Any]) -> None:
    """Raise :class:`CacheError` unless ``folder`` holds a complete build for ``fingerprint``."""
    advice = f"delete {folder} and it is rebuilt on the next run"
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise CacheError(f"{folder}: no {MANIFEST}, so this is not a finished cache build; {advice}")
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        files = dict(manifest["files"])
        built_from = manifest["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CacheError(f"{manifest_file}: unreadable ({exc}); {advice}") from None
    if built_from != fingerprint:
        raise CacheError(f"{folder}: built from {built_from}, not {fingerprint}; {advice}")
    for name, size in files.items():
        path = folder / name
        if not path.is_file():
            raise CacheError(f"{path}: missing from the cache; {advice}")
        if path.stat().st_size != size:
            raise CacheError(f"{path}: {path.stat().st_size} bytes, the build wrote {size}; {advice}")


def ensure(
    folder: Path, fingerprint: dict[str, Any], build: Callable[[Path], None], message: str | None = None
) -> Path:
    """Return ``folder``, building it first with ``build(tmp_folder)`` if it does not exist yet.

    An existing folder is checked, never silently rebuilt: it may be a file the
    user cares about at a mistyped ``cache_dir``. Two processes converting at once
    both finish; the second one's rename fails and its copy is dropped.
    """
    if folder.exists():
        check(folder, fingerprint)
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    if message:
        print(message, file=sys.stderr, flush=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        build(tmp)
        files = {p.name: p.stat().st_size for p in sorted(tmp.iterdir()) if p.is_file()}
        manifest = {"fingerprint": fingerprint, "files": files}
        with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a cache is readable like any folder
        try:
            os.rename(tmp, folder)
        except OSError:
            if not folder.exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process finished first
            check(folder, fingerprint)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
