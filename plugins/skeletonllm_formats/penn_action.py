"""Penn Action ``labels/NNNN.mat``: 13 joints in 2D pixels per video frame, with the clip's labels.

Layout (Penn Action README, Zhang, Zhu and Derpanis, ICCV 2013): a MATLAB 5
file with ``x`` and ``y`` (frames x 13, pixels), ``visibility`` (frames x 13,
1 visible, 0 occluded: the position is still annotated), ``bbox`` (frames x 4,
x1 y1 x2 y2), ``action`` (e.g. ``tennis_serve``), ``pose`` (the coarse
viewpoint: front, back, left, right), ``train`` (1 train, -1 test),
``dimensions`` (height, width, frames) and ``nframes``. Read with
``scipy.io.loadmat``, which builds arrays and strings, never Python objects, once the
headers (:mod:`.mat5`) showed how much it would decode.

Each file is one single-person sequence. An occluded joint keeps its position
and gets confidence 0.5 (a visible one 1.0), as COCO's "labelled but not
visible"; a NaN coordinate is a missing joint (mask False). ``meta`` holds
``action``, ``pose``, ``train`` (bool), ``bbox`` ((T, 4), NaN rows where the
file has fewer rows than frames, as two of the 2,326 originals do) and
``image_size`` (height, width). The files do not record a frame rate.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from skeletonllm.atomic import atomic_write
from skeletonllm.decode_budget import check_decoded_size, decode_limit
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import NoOptions, PluginOptions, SkeletonFormat
from skeletonllm.safe_read import check_input_file
from skeletonllm.sequence import SkeletonSequence

from ._text import one_line
from .mat5 import MAGIC, read_variables
from .topologies import PENN_ACTION13

NUM_JOINTS = 13
OCCLUDED_CONFIDENCE = 0.5
#: bytes in memory per inflated byte while reading: scipy's array, then the float64 copies the reader
#: makes (a uint8 visibility table becomes float64: 8 x, and x/y are stacked and masked)
DECODE_FACTOR = 3 * 8


def _load(path: Path) -> dict[str, Any]:
    """Every variable, once the bytes they inflate to passed the decode budget.

    A compressed variable of zeros inflates ~1000-fold, so a 100 kB file can decode to
    gigabytes: :func:`.mat5.read_variables` counts what each variable inflates to (in bounded
    chunks, stopping past the budget) before ``loadmat`` decodes anything.
    """
    from scipy.io import loadmat

    check_input_file(path)  # also when a dataset calls the reader directly: a named pipe would block
    limit, _ = decode_limit(path.stat().st_size)
    try:
        listing = read_variables(path, limit // DECODE_FACTOR + 1)
    except OSError as exc:
        raise SkeletonDataError(f"cannot read file: {exc.strerror or exc}", source=path) from None
    if listing:
        total = sum(v.decoded for v in listing)
        big = max(listing, key=lambda v: v.decoded)
        what = f"{'at least ' if not big.complete else ''}{total:,} inflated bytes (the largest variable, "
        what += f"{big.name!r}, is {'x'.join(map(str, big.shape))} {big.mclass})"
        check_decoded_size(total * DECODE_FACTOR, path, what)
    try:
        return loadmat(str(path), squeeze_me=False, chars_as_strings=True, verify_compressed_data_integrity=True)
    except Exception as exc:  # noqa: BLE001 - scipy raises ValueError, TypeError, zlib and struct errors on bad bytes
        raise SkeletonDataError(
            f"unreadable MAT file ({type(exc).__name__}: {one_line(exc)[:200]})", source=path
        ) from None


def _numeric(mat: dict, key: str, path: Path) -> np.ndarray:
    value = mat[key]
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise SkeletonDataError(
            f"expected a numeric array, got {getattr(value, 'dtype', type(value).__name__)}", source=path, field=key
        )
    return value.astype(np.float64)


def _text(mat: dict, key: str, path: Path) -> str | None:
    if key not in mat:
        return None
    value = mat[key]
    if not isinstance(value, np.ndarray) or value.dtype.kind != "U" or value.size > 1:
        raise SkeletonDataError("expected one string", source=path, field=key)
    return str(value.ravel()[0]) if value.size else ""


def _table(mat: dict, key: str, frames: int, path: Path) -> np.ndarray:
    table = _numeric(mat, key, path)
    if table.ndim != 2 or table.shape != (frames, NUM_JOINTS):
        raise SkeletonDataError(
            f"shape {table.shape}, expected ({frames}, {NUM_JOINTS}): one row per frame, one column per joint",
            source=path,
            field=key,
        )
    return table


class PennActionFormat(SkeletonFormat):
    """2D, 13 joints; meta holds the action, viewpoint, train flag and person box."""

    name: ClassVar[str] = "penn_action"
    summary: ClassVar[str] = "Penn Action .mat (13 joints, 2D pixels, visibility, box, action and train flag)"
    Options: ClassVar[type[PluginOptions]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".mat",)
    topology = PENN_ACTION13

    def sniff(self, path: Path, head: bytes) -> float:
        if not head.startswith(MAGIC):
            return 0.0
        try:
            names = {v.name for v in read_variables(path, max_decoded=16 * 1024**2)}  # headers, bounded
        except Exception:  # noqa: BLE001 - a sniffer answers, it never raises
            return 0.05
        if {"x", "y", "visibility"} <= names:
            return 0.95
        return 0.5 if {"x", "y"} <= names else 0.05

    def read(self, path: Path) -> list[SkeletonSequence]:
        path = Path(path)
        mat = _load(path)
        for key in ("x", "y"):
            if key not in mat:
                raise SkeletonDataError(
                    f"no variable {key!r}; a Penn Action file has x, y, visibility, bbox, action, train",
                    source=path,
                    field=key,
                )
        x = _numeric(mat, "x", path)
        frames = x.shape[0] if x.ndim == 2 else 0
        if frames < 1:
            raise SkeletonDataError(f"shape {x.shape}, expected (frames >= 1, {NUM_JOINTS})", source=path, field="x")
        x, y = _table(mat, "x", frames, path), _table(mat, "y", frames, path)
        if "nframes" in mat:
            n = _numeric(mat, "nframes", path).ravel()
            if n.size != 1 or n[0] != frames:
                raise SkeletonDataError(
                    f"nframes says {n.tolist()[:3]}, x and y have {frames} rows", source=path, field="nframes"
                )
        confidence = None
        if "visibility" in mat:
            visible = _table(mat, "visibility", frames, path)
            if not np.isin(visible, (0, 1)).all():
                bad = np.argwhere(~np.isin(visible, (0, 1)))[0]
                raise SkeletonDataError(
                    f"visibility {float(visible[tuple(bad)]):g} is not 0 or 1",
                    source=path,
                    frame=int(bad[0]),
                    field="visibility",
                )
            confidence = np.where(visible > 0, 1.0, OCCLUDED_CONFIDENCE)[None]
        meta: dict[str, Any] = {
            "source": str(path),
            "action": _text(mat, "action", path),
            "pose": _text(mat, "pose", path),
        }
        if "train" in mat:
            flag = _numeric(mat, "train", path).ravel()
            if flag.size != 1 or flag[0] not in (1, -1, 0):
                raise SkeletonDataError(
                    f"train {flag.tolist()[:3]} is not 1 (train) or -1 (test)", source=path, field="train"
                )
            meta["train"] = bool(flag[0] == 1)
        if "bbox" in mat:
            box = _numeric(mat, "bbox", path)
            if box.ndim != 2 or box.shape[1] != 4:
                raise SkeletonDataError(f"shape {box.shape}, expected (frames, 4)", source=path, field="bbox")
            meta["bbox"] = np.full((frames, 4), np.nan)
            meta["bbox"][: min(frames, len(box))] = box[:frames]
        if "dimensions" in mat:
            dims = _numeric(mat, "dimensions", path).ravel()
            if dims.size >= 2:
                meta["image_size"] = (float(dims[0]), float(dims[1]))
        return [
            SkeletonSequence(
                positions=np.stack([x, y], axis=-1)[None],
                topology=PENN_ACTION13,
                fps=None,
                confidence=confidence,
                meta=meta,
            )
        ]

    def write(self, sequence: SkeletonSequence, path: Path) -> Path:
        """The same variables; a missing joint is NaN with visibility 0, confidence >= 0.75 is visible."""
        from scipy.io import savemat

        path = Path(path)
        seq = sequence
        if seq.num_joints != NUM_JOINTS or seq.dims != 2 or seq.num_persons != 1:
            raise SkeletonDataError(
                f"penn_action writes one person with 13 joints in 2D, got {seq.num_persons} x {seq.num_joints} in {seq.dims}D",
                source=path,
            )
        pos = np.where(seq.mask[0, ..., None], seq.positions[0].astype(np.float64), np.nan)
        visible = seq.mask[0] if seq.confidence is None else seq.mask[0] & (seq.confidence[0] >= 0.75)
        frames = seq.num_frames
        box = np.asarray(seq.meta.get("bbox", ()), dtype=np.float64)
        if box.shape != (frames, 4):
            with warnings.catch_warnings():  # a frame without any joint has a NaN box, said once here
                warnings.simplefilter("ignore", RuntimeWarning)
                box = np.concatenate([np.nanmin(pos, axis=1), np.nanmax(pos, axis=1)], axis=-1)
        doc: dict[str, Any] = {
            "action": str(seq.meta.get("action") or ""),
            "pose": str(seq.meta.get("pose") or ""),
            "x": pos[..., 0],
            "y": pos[..., 1],
            "visibility": visible.astype(np.uint8),
            "bbox": box,
            "nframes": np.array([[frames]], dtype=np.float64),
        }
        if "image_size" in seq.meta:
            height, width = seq.meta["image_size"]
            doc["dimensions"] = np.array([[height, width, frames]], dtype=np.float64)
        if "train" in seq.meta:
            doc["train"] = np.array([[1 if seq.meta["train"] else -1]], dtype=np.int32)
        with atomic_write(path) as tmp, open(tmp, "wb") as fh:
            savemat(fh, doc, do_compression=True, oned_as="row")
        return path
