"""An unpickler that rebuilds numpy arrays and plain containers, and nothing else.

``pickle.load`` runs whatever callable a file names (``os.system`` included),
so PYSKL annotation files, which come from strangers on the internet, are
read with this allow-list instead. Dicts, lists, tuples, strings and numbers
need no class lookup at all; only the names below may be looked up.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

from skeletonllm.errors import SkeletonDataError

from ._text import one_line

#: (module, name) pairs that only build arrays, dtypes, scalars or containers from data
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),  # pickle protocol 5 arrays
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # protocol 2 writes array bytes through it
        ("collections", "OrderedDict"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "bytearray"),
        ("builtins", "complex"),
        ("builtins", "slice"),
    }
)
# numpy's dtype classes (numpy.dtypes.Float32DType ...) only describe dtypes
_ALLOWED_MODULE_PREFIXES = ("numpy.dtypes",)


class AllowListUnpickler(pickle.Unpickler):
    """Refuses every global not in ``ALLOWED`` before it is imported, so nothing runs."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in ALLOWED or module in _ALLOWED_MODULE_PREFIXES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"forbidden class {module}.{name} in pickle")


def safe_load(path: Path) -> Any:
    """Unpickle ``path`` through the allow-list; any failure is a SkeletonDataError naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SkeletonDataError(f"cannot read file: {exc.strerror or exc}", source=path) from None
    if not data:
        raise SkeletonDataError("empty file, expected a pickle", source=path)
    try:
        return AllowListUnpickler(io.BytesIO(data)).load()
    except pickle.UnpicklingError as exc:
        message = one_line(exc)
        if message.startswith("forbidden class"):
            raise SkeletonDataError(
                f"{message} (only numpy arrays and plain containers are allowed)", source=path, field="pickle"
            ) from None
        raise SkeletonDataError(f"not a valid pickle: {message}", source=path) from None
    except Exception as exc:  # noqa: BLE001 - corrupt pickles raise almost any type; all mean the same here
        raise SkeletonDataError(
            f"not a valid pickle (truncated or corrupt): {type(exc).__name__}: {one_line(exc)}", source=path
        ) from None
