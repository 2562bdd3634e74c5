"""The mocap and 2D datasets on their complete copies: clips read and refused, classes, protocol sizes.

    python benchmarks/mocap_datasets.py [--data-root DIR] [--threads N] [--only hdm05,penn_action,bandai1,bandai2]

Each dataset is found as ``<data root>/<plugin name>`` (``hdm05``, ``penn_action``,
``bandai_namco``), laid out as it ships (``--data-root`` or ``SKELETONLLM_DATA``).
The index is built as training builds it; then *every* clip is loaded through the
core readers, so a file that indexes but does not read is counted as refused too,
with its reason. Printed: clips indexed and read, refused with reasons, classes
(with at least one clip), the sizes of each protocol's parts, frames and seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.progress import progress
from skeletonllm.registry import get_registry
from skeletonllm.threads import configure_threads

DATASETS = {
    "hdm05": ("hdm05", "hdm05", {}),
    "penn_action": ("penn_action", "penn_action", {}),
    "bandai2": ("bandai", "bandai_namco", {"set": 2}),
    "bandai1": ("bandai", "bandai_namco", {"set": 1}),
}


def survey(key: str, root: Path) -> dict:
    plugin, folder, options = DATASETS[key]
    start = time.perf_counter()
    ds = get_registry().create("dataset", plugin, {"root": str(root / folder), **options})
    index = ds.index
    refused = list(ds.report.skipped)
    frames, read = 0, 0
    for sample in progress(index, desc=f"{key} read", unit="clip"):
        try:
            seq = sample.load()
        except SkeletonLLMError as exc:
            refused.append((sample.id, str(exc)))
            continue
        read += 1
        frames += seq.num_frames
    parts = {f"{p}/{x}": sum(1 for _ in ds.samples(f"{p}/{x}")) for p in ds.protocols() for x in ("train", "test")}
    return {
        "dataset": key,
        "files": ds.report.total,
        "read": read,
        "refused": refused,
        "classes": f"{len({s.label for s in index})} of {len(ds.class_names)}",
        "protocols": parts,
        "frames": frames,
        "seconds": time.perf_counter() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=os.environ.get("SKELETONLLM_DATA"))
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the thread policy)")
    parser.add_argument("--only", default=",".join(DATASETS), help="comma-separated subset of " + ", ".join(DATASETS))
    args = parser.parse_args()
    if args.data_root is None:
        parser.error("give --data-root or set SKELETONLLM_DATA")
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    rows = [survey(key, args.data_root) for key in args.only.split(",")]
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| dataset | files | clips read | refused | classes | protocol parts | frames | seconds |")
    print("|---|---:|---:|---:|---|---|---:|---:|")
    for row in rows:
        parts = ", ".join(f"{k} {v}" for k, v in row["protocols"].items())
        print(
            f"| {row['dataset']} | {row['files']} | {row['read']} | {len(row['refused'])} | {row['classes']} | "
            f"{parts} | {row['frames']:,} | {row['seconds']:.1f} |"
        )
    for row in rows:
        for name, reason in row["refused"]:
            print(f"refused in {row['dataset']}: {name}: {reason}")


if __name__ == "__main__":
    main()
