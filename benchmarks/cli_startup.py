"""CLI start-up: wall time of ``skeletonllm --help``, ``plugins`` and ``info`` on one NTU file, side by side.

Usage::

    python benchmarks/cli_startup.py [--repeats 7] [--file PATH.skeleton] [--json]

Each command runs in a fresh interpreter (``python -m skeletonllm.cli``), as a user
types it; a row reports the median and the best of ``--repeats`` runs after one
warm-up (which fills the OS file cache) and whether torch / transformers were
imported. ``--file`` defaults to the NTU sample under ``$SKELETONLLM_SHARED_DATA``
(or ``../shared/data``); without it the ``info`` row is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROBE = """
import sys
from skeletonllm.cli import main
try:
    main()
except SystemExit:
    pass
print("HEAVY=" + ",".join(m for m in ("torch", "transformers") if m in sys.modules), file=sys.stderr)
"""


def time_command(args: list[str], repeats: int) -> dict:
    """Median/best seconds of ``skeletonllm ARGS`` in new interpreters, and the heavy modules imported."""
    seconds = []
    heavy = ""
    for i in range(repeats + 1):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"skeletonllm {' '.join(args)} failed:\n{done.stderr}")
        heavy = done.stderr.strip().splitlines()[-1].removeprefix("HEAVY=")
        if i:  # the first run only warms the file cache
            seconds.append(elapsed)
    return {
        "command": "skeletonllm " + " ".join(Path(a).name if os.sep in a else a for a in args),
        "median_s": round(statistics.median(seconds), 3),
        "best_s": round(min(seconds), 3),
        "imports": heavy or "-",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("SKELETONLLM_SHARED_DATA", "../shared/data"))
    parser.add_argument("--file", type=Path, default=shared / "ntu_rgbd_skeleton" / "S001C001P001R001A001.skeleton")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    commands = [["--help"], ["plugins"]]
    if args.file.exists():
        commands.append(["info", str(args.file)])
    else:
        print(f"no {args.file}: skipping the info row", file=sys.stderr)
    rows = [time_command(c, args.repeats) for c in commands]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}, {args.repeats} runs each")
    print(f"{'command':<48} {'median s':>9} {'best s':>7}  imports torch/transformers")
    for r in rows:
        print(f"{r['command']:<48} {r['median_s']:>9.3f} {r['best_s']:>7.3f}  {r['imports']}")


if __name__ == "__main__":
    main()
