"""Our ASF/AMC forward kinematics against the HDM05 MoCap toolbox's own, on every clip of the HDM05 copy.

    python benchmarks/hdm05_toolbox_check.py [--data-root DIR] [--every N]

The HDM05 copy (``<data root>/hdm05``) ships, next to each ``HDM_*.amc``, the
HDM05 toolbox's reading of it (``.amc.mat``: ``mot.jointTrajectories``, 31
joints, inches). This script reads each clip with the ``asf_amc`` format in
file units, divides by the ASF length multiplier (the toolbox's unit) and
prints the largest difference per joint, over all clips, next to the same
figure with the Euler order composed the other way (``Rx @ Ry @ Rz``), which
is how the order convention in docs/formats.md was decided.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from scipy.io import loadmat

import skeletonllm_formats.asf_amc as asf_amc
from skeletonllm.progress import progress
from skeletonllm_formats.rotations import euler_to_matrix


def other_order(order: str, angles: np.ndarray) -> np.ndarray:
    """``XYZ`` as ``Rx @ Ry @ Rz``: the convention the check rules out."""
    if not order:
        return np.broadcast_to(np.eye(3), (len(angles), 3, 3)).copy()
    return euler_to_matrix(order, angles)


def worst_error(files: list[Path]) -> float:
    worst = 0.0
    fmt = asf_amc.AsfAmcFormat(asf_amc.AsfAmcOptions(units="file"))
    for path in progress(files, desc="hdm05 check", unit="clip"):
        (seq,) = fmt.read(path)
        mot = loadmat(str(path) + ".mat")["mot"][0, 0]
        toolbox = np.stack([t[0].T for t in mot["jointTrajectories"]], axis=1)  # (T, 31, 3) inches
        ours = seq.positions[0] / seq.meta["length_unit"]
        worst = max(worst, float(np.abs(ours - toolbox).max()))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=os.environ.get("SKELETONLLM_DATA"))
    parser.add_argument("--every", type=int, default=1, help="check every Nth clip (default: all)")
    args = parser.parse_args()
    if args.data_root is None:
        parser.error("give --data-root or set SKELETONLLM_DATA (the folder holding hdm05/)")
    files = sorted(p for p in (args.data_root / "hdm05").rglob("*") if p.suffix.lower() == ".amc")
    files = [p for p in files if Path(str(p) + ".mat").is_file()][:: args.every]
    start = time.perf_counter()
    ours = worst_error(files)
    rotation = asf_amc.rotation
    asf_amc.rotation = other_order
    try:
        other = worst_error(files)
    finally:
        asf_amc.rotation = rotation
    print(f"load average {os.getloadavg()[0]:.2f}, {len(files)} clips in {time.perf_counter() - start:.1f} s")
    print("| Euler order | largest joint difference from the HDM05 toolbox (inches) |")
    print("|---|---:|")
    print(f"| XYZ = Rz @ Ry @ Rx (ours) | {ours:.2e} |")
    print(f"| XYZ = Rx @ Ry @ Rz | {other:.2e} |")


if __name__ == "__main__":
    main()
