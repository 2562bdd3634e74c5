"""An unpickler that rebuilds numpy arrays and plain containers, and nothing else.

``pickle.load`` runs whatever callable a file names (``os.system`` included),
so PYSKL annotation files, which come from strangers on the internet, are
read with this allow-list instead. Dicts, lists, tuples, strings and numbers
need no class lookup at all; only the names below may be looked up.
"""

from __future__ import annotations

import _compat_pickle
import codecs
import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from skeletonllm.decode_budget import check_decoded_size
from skeletonllm.errors import SkeletonDataError
from skeletonllm.safe_read import check_input_file

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


#: memory an allow-listed constructor may ask for beyond the pickle's own size: a real array's
#: bytes are *in* the file, so a 34-byte pickle asking for ``bytearray(2**31)`` is an attack
ALLOCATION_SLACK = 1 << 20


class AllowListUnpickler(pickle.Unpickler):
    """Refuses every global not in ``ALLOWED`` before it is imported, so nothing runs.

    The allow-listed constructors that can be asked for memory by a number
    (``bytearray(n)``, ``ndarray(shape)``, ``_reconstruct(cls, shape, dtype)``) are
    wrapped so they may allocate at most ``budget`` bytes, normally the file's size
    plus ``ALLOCATION_SLACK``; ``_codecs.encode`` may only use latin-1, the codec
    numpy's protocol-2 pickles use.
    """

    def __init__(self, file: io.BytesIO, budget: int) -> None:
        super().__init__(file)
        self.budget = budget

    def find_class(self, module: str, name: str) -> Any:
        # protocol 0-2 pickles written by Python 2 name ``__builtin__.bytearray`` and the like
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if not ((module, name) in ALLOWED or module in _ALLOWED_MODULE_PREFIXES):
            raise pickle.UnpicklingError(f"forbidden class {module}.{name} in pickle")
        found = super().find_class(module, name)
        if (module, name) == ("builtins", "bytearray"):
            return self._bytearray
        if name == "_reconstruct":
            return self._reconstruct_with(found)
        if (module, name) == ("numpy", "ndarray"):
            return _BoundedNdarray.bind(self)
        if (module, name) == ("_codecs", "encode"):
            return _latin1_encode
        return found

    def check_size(self, what: str, nbytes: int) -> None:
        if nbytes > self.budget:
            raise pickle.UnpicklingError(
                f"{what} asks for {nbytes:,} bytes, more than this {self.budget - ALLOCATION_SLACK:,}-byte "
                "pickle can hold (corrupt or malicious)"
            )

    def _bytearray(self, *args: Any) -> bytearray:
        if args and isinstance(args[0], int):
            self.check_size("bytearray", args[0])
        return bytearray(*args)

    def _reconstruct_with(self, reconstruct: Any) -> Any:
        def bounded(subtype: Any, shape: Any, dtype: Any) -> Any:
            self.check_size("array", _nbytes(shape, dtype))
            return reconstruct(_real(subtype), shape, dtype)

        return bounded


class _BoundedNdarray:
    """Stands in for ``numpy.ndarray`` in a pickle: calling it checks the size first."""

    unpickler: AllowListUnpickler

    @classmethod
    def bind(cls, unpickler: AllowListUnpickler) -> type:
        return type("ndarray", (cls,), {"unpickler": unpickler})

    def __new__(cls, shape: Any = (), dtype: Any = float, *args: Any, **kwargs: Any) -> Any:
        cls.unpickler.check_size("ndarray", _nbytes(shape, dtype))
        return np.ndarray(shape, dtype, *args, **kwargs)


def _real(subtype: Any) -> Any:
    return np.ndarray if isinstance(subtype, type) and issubclass(subtype, _BoundedNdarray) else subtype


def _nbytes(shape: Any, dtype: Any) -> int:
    """Bytes an array of ``shape`` and ``dtype`` needs (Python ints: no overflow)."""
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    count = 1
    for dim in dims:
        count *= int(dim)
    try:
        itemsize = np.dtype(dtype).itemsize
    except TypeError:
        itemsize = 1
    return max(count, 0) * max(itemsize, 1)


def _latin1_encode(text: str, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    if encoding.replace("-", "").lower() not in ("latin1", "iso88591"):
        raise pickle.UnpicklingError(f"_codecs.encode with codec {encoding[:20]!r} (only latin-1 is allowed)")
    return codecs.encode(text, "latin1", errors)


#: bytes counted for each reference a container holds, and for a container or scalar itself
_REFERENCE_BYTES = 8
_OBJECT_BYTES = 56


class _Cycle(Exception):
    """A container that contains itself: no skeleton annotation does, and a reader walking it never ends."""


def _children(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [*obj.keys(), *obj.values()]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return list(obj)
    if isinstance(obj, np.ndarray) and obj.dtype.hasobject:
        return list(obj.flat)
    return []


def _own_bytes(obj: Any) -> int:
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, (str, bytes, bytearray)):
        return len(obj) + _OBJECT_BYTES
    if isinstance(obj, (dict, list, tuple, set, frozenset)):
        return _OBJECT_BYTES + _REFERENCE_BYTES * len(obj)
    return _OBJECT_BYTES


def expanded_size(root: Any) -> int:
    """Bytes of everything reachable from ``root`` when every reference counts in full.

    A pickle can store one large annotation once and reference it 30,000 times
    (the memo makes that cheap in the file); a reader that converts each
    reference makes 30,000 copies. Each object's size is computed once (memoised
    by identity, iteratively, so deep nesting cannot overflow the stack) and a
    shared object counts at every place it is referenced. A cycle raises ``_Cycle``.
    """
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        obj, finished = stack.pop()
        key = id(obj)
        if finished:
            sizes[key] = _own_bytes(obj) + sum(sizes[id(child)] for child in _children(obj))
            open_ids.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_ids:
            raise _Cycle
        open_ids.add(key)
        stack.append((obj, True))
        stack.extend((child, False) for child in _children(obj) if id(child) not in sizes)
    return sizes[id(root)]


def safe_load(path: Path) -> Any:
    """Unpickle ``path`` through the allow-list; any failure is a SkeletonDataError naming the file.

    What the pickle expands to, every shared reference counted, must fit the file's
    decode budget (:func:`skeletonllm.decode_budget.check_decoded_size`).
    """
    path = Path(path)
    check_input_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SkeletonDataError(f"cannot read file: {exc.strerror or exc}", source=path) from None
    if not data:
        raise SkeletonDataError("empty file, expected a pickle", source=path)
    try:
        loaded = AllowListUnpickler(io.BytesIO(data), len(data) + ALLOCATION_SLACK).load()
        size = expanded_size(loaded)
    except _Cycle:
        raise SkeletonDataError("not a valid pickle: a container holds itself (cyclic data)", source=path) from None
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
    check_decoded_size(size, path, "its contents, each shared reference counted", file_size=len(data))
    return loaded
