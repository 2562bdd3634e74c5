"""Census of real datasets: clips read and refused (with reasons), classes, protocol sizes, reading speed.

Finds each complete set under ``--data-root`` (or ``$SKELETONLLM_DATA``), one
sub-folder per dataset named like its plugin and laid out as the dataset ships,
builds the plugin's index, loads every clip once and prints one Markdown row per
dataset (the table of docs/datasets.md) followed by every refusal.

    .venv/bin/python benchmarks/dataset_census.py --data-root /work/data msr_action3d msrc12 sbu
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from skeletonllm.errors import SkeletonDataError
from skeletonllm.progress import progress
from skeletonllm.registry import get_registry
from skeletonllm.threads import configure_threads


def census(name: str, root: Path) -> dict:
    ds = get_registry().create("dataset", name, {"root": str(root)})
    t0 = time.perf_counter()
    index = ds.index
    index_s = time.perf_counter() - t0
    refused = list(ds.report.skipped) if hasattr(ds, "report") else []
    failed, formats, joints, frames = [], Counter(), Counter(), 0
    t0 = time.perf_counter()
    for sample in progress(index, desc=name, unit="clip"):
        try:
            seq = sample.load()
        except SkeletonDataError as exc:
            failed.append((sample.id, exc.message))
            continue
        formats[seq.meta.get("format", "-")] += 1
        joints[f"{seq.num_persons} x {seq.num_joints} ({seq.topology.name})"] += 1
        frames += seq.num_frames
    load_s = time.perf_counter() - t0
    sizes = {p: tuple(sum(1 for _ in ds.samples(f"{p}/{part}")) for part in ("train", "test")) for p in ds.protocols()}
    return {
        "name": name,
        "format": ", ".join(formats),
        "joints": ", ".join(joints),
        "read": len(index) - len(failed),
        "refused": refused,
        "failed": failed,
        "classes": len(ds.class_names),
        "present": len({s.label for s in index}),
        "protocols": sizes,
        "extra": {k: v for k, v in vars(ds).items() if k in ("instances_refused",)},
        "clips_per_s": len(index) / load_s if load_s else float("nan"),
        "index_s": index_s,
        "frames": frames,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="*", default=["msr_action3d", "msrc12", "sbu"])
    parser.add_argument("--data-root", type=Path, default=os.environ.get("SKELETONLLM_DATA"))
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the thread policy)")
    args = parser.parse_args()
    if args.data_root is None:
        parser.error("give --data-root or set SKELETONLLM_DATA (the folder holding one sub-folder per dataset)")
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    rows = [census(n, args.data_root / n) for n in args.datasets if (args.data_root / n).is_dir()]
    missing = [n for n in args.datasets if not (args.data_root / n).is_dir()]
    print(f"load average {os.getloadavg()[0]:.2f} (1 min); data root {args.data_root}")
    print(
        "| dataset | format | persons x joints (topology) | clips read | files refused (+ clips failing) | classes | protocol train/test | clips/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        refused = f"{len(r['refused'])} (+ {len(r['failed'])})"
        protocols = "; ".join(f"{p} {a}/{b}" for p, (a, b) in r["protocols"].items())
        print(
            f"| {r['name']} | {r['format']} | {r['joints']} | {r['read']} | {refused} | {r['classes']} "
            f"({r['present']} present) | {protocols} | {r['clips_per_s']:.0f} |"
        )
    for r in rows:
        for what, reason in r["refused"]:
            print(f"{r['name']}: refused {what}: {reason}")
        for what, reason in r["failed"]:
            print(f"{r['name']}: failed to load {what}: {reason}")
        for key, value in r["extra"].items():
            print(f"{r['name']}: {key} = {value}")
    if missing:
        print(f"not under {args.data_root}: {', '.join(missing)}")


if __name__ == "__main__":
    main()
