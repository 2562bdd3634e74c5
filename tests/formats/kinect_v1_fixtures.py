"""Small MSR Action3D, MSRC-12 and SBU files written from the published layouts, not by the plugins' writers.

Numbers are printed the way the release files print them (MSR Action3D and
MSRC-12: six decimals; SBU: five significant digits, comma separated), so a
reader bug cannot hide behind a matching writer bug.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# MSR Action3D file order (drawskt.m): the file's 20 joints; index 19 is the head.
MSR_HEAD_LINE = 19


def msr_action3d_text(frames: int = 4, seed: int = 7, untracked_frame: int | None = 1) -> str:
    """20 lines ``x y z c`` a frame; ``untracked_frame`` is written as the release writes one: all zeros."""
    rng = np.random.default_rng(seed)
    lines = []
    for t in range(frames):
        for j in range(20):
            if t == untracked_frame:
                lines.append("0.000000 0.000000 0.000000 0.000000")
                continue
            x, z = rng.uniform(-0.5, 0.5), rng.uniform(2.3, 3.0)
            y = 0.66 if j == MSR_HEAD_LINE else rng.uniform(-1.0, 0.5)
            lines.append(f"{x:.6f} {y:.6f} {z:.6f} {rng.choice([0.0, 0.459135, 1.0]):.6f}")
    return "\n".join(lines) + "\n"


def msrc12_text(frames: int = 5, seed: int = 8, start_us: int = 2489783396) -> str:
    """Time stamp (µs, about 30 Hz) then 20 x (x y z 1); the first frame is untracked (zeros), as files start."""
    rng = np.random.default_rng(seed)
    lines = []
    for t in range(frames):
        stamp = start_us + t * 33333
        if t == 0:
            lines.append(f"{stamp} " + " ".join(["0"] * 80))
            continue
        values = []
        for _ in range(20):
            values += [rng.uniform(-0.5, 0.5), rng.uniform(-1.0, 0.7), rng.uniform(2.5, 3.0), 1.0]
        lines.append(f"{stamp} " + " ".join(f"{v:.6f}" for v in values))
    return "\n".join(lines) + "\n"


def msrc12_tagstream(stamps_us: list[int], gesture: str = "G12 Kick") -> str:
    """Tags at the given microsecond times, as XQPC ticks (the inverse of load_tagstream.m)."""
    rows = ["XQPCTick;Tag"] + [f"{us * 49875 // 1000};{gesture}" for us in stamps_us]
    return "\n".join(rows) + "\n"


def sbu_text(frames: int = 4, seed: int = 9, first_frame: int = 55) -> str:
    """``frame,`` then 2 persons x 15 joints x normalised (x, y, z)."""
    rng = np.random.default_rng(seed)
    lines = []
    for t in range(frames):
        values = []
        for person in range(2):
            for _ in range(15):
                values += [rng.uniform(0.1, 0.4) + 0.5 * person, rng.uniform(0.3, 1.2), rng.uniform(1.4, 2.0)]
        lines.append(f"{first_frame + t}," + ",".join(f"{v:.5g}" for v in values))
    return "\n".join(lines) + "\n"


def write_kinect_v1_samples(folder: Path) -> dict[str, Path]:
    """One file per format, keyed by plugin name (for the conformance kit)."""
    folder.mkdir(parents=True, exist_ok=True)
    msr = folder / "a05_s02_e01_skeleton3D.txt"
    msr.write_text(msr_action3d_text())
    msrc = folder / "P1_1_12_p05.csv"
    msrc.write_text(msrc12_text())
    sbu_dir = folder / "s01s02" / "04" / "001"
    sbu_dir.mkdir(parents=True, exist_ok=True)
    sbu = sbu_dir / "skeleton_pos.txt"
    sbu.write_text(sbu_text())
    return {"msr_action3d": msr, "msrc12": msrc, "sbu": sbu}
