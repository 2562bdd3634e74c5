"""Does the kinematic teacher name the hand that moves? Bandai-Namco set 2, every one-handed clip.

    python benchmarks/bandai_sides.py [--data-root DIR] [--threads N] [--limit N] [--json FILE]

The complete set is found as ``<data root>/bandai_namco`` (``--data-root`` or
``SKELETONLLM_DATA``), laid out as the repository ships it. For each clip of
``wave-left-hand``, ``wave-right-hand``, ``raise-up-left-hand`` and
``raise-up-right-hand`` the clip is read through the ``bandai`` dataset plugin
(BVH reader) and ``kinematics.analyse`` gives the side the teacher's rationale
states ("the left side leads", ...). The table counts the answers per content,
with the share that names the side in the content's name, and the performer's
facing (the body-frame forward direction, as a compass angle about the up axis
in the file's coordinates), so a facing-dependent error would show.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from skeletonllm.progress import progress
from skeletonllm.registry import get_registry
from skeletonllm.threads import configure_threads

CONTENTS = ("wave-left-hand", "wave-right-hand", "raise-up-left-hand", "raise-up-right-hand")
SIDES = ("left", "right", "both", "none")


def facing_degrees(seq) -> float:  # noqa: ANN001 - a SkeletonSequence
    """Compass angle of the body's forward direction about the up axis (0 = +z, 90 = +x), from the first frame."""
    from skeletonllm_training.body import body_frame

    frame = body_frame(seq.topology, seq.positions[0].astype(np.float64), seq.mask[0])
    if frame.forward is None:
        return float("nan")
    up = frame.up
    axes = [a for a in range(3) if not up[a]]
    return float(np.degrees(np.arctan2(frame.forward[axes[0]], frame.forward[axes[1]])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=os.environ.get("SKELETONLLM_DATA"))
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the thread policy)")
    parser.add_argument("--limit", type=int, default=None, help="clips per content (default: all)")
    parser.add_argument("--json", type=Path, default=None, help="also write the counts here")
    args = parser.parse_args()
    if args.data_root is None:
        parser.error("give --data-root or set SKELETONLLM_DATA (the folder holding bandai_namco/)")
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    from skeletonllm_training.kinematics import analyse

    ds = get_registry().create("dataset", "bandai", {"root": str(args.data_root / "bandai_namco"), "set": 2})
    wanted = {ds.class_names.index(c) for c in CONTENTS}
    clips = [s for s in ds.index if s.label in wanted]
    if args.limit:
        per: dict[int, int] = defaultdict(int)
        clips = [s for s in clips if (per.__setitem__(s.label, per[s.label] + 1) or per[s.label] <= args.limit)]
    counts: dict[str, Counter] = {c: Counter() for c in CONTENTS}
    facings: dict[str, list[float]] = {c: [] for c in CONTENTS}
    wrong: list[str] = []
    start = time.perf_counter()
    for sample in progress(clips, desc="bandai sides", unit="clip"):
        content = ds.class_names[sample.label]
        seq = sample.load()
        side = analyse(seq).main.side
        counts[content][side] += 1
        facings[content].append(facing_degrees(seq))
        if side != content.split("-")[-2]:
            wrong.append(f"{sample.id}: {side}")
    elapsed = time.perf_counter() - start
    print(f"load average {os.getloadavg()[0]:.2f}, {len(clips)} clips in {elapsed:.1f} s")
    print("| content | clips | " + " | ".join(SIDES) + " | names its side | facing (deg, median [min, max]) |")
    print("|---|---:|" + "---:|" * len(SIDES) + "---:|---|")
    for content in CONTENTS:
        total = sum(counts[content].values())
        right_answer = content.split("-")[-2]
        face = np.array(facings[content])
        share = counts[content][right_answer] / total if total else float("nan")
        print(
            f"| {content} | {total} | " + " | ".join(str(counts[content][s]) for s in SIDES)
            + f" | {share:.1%} | {np.nanmedian(face):.0f} [{np.nanmin(face):.0f}, {np.nanmax(face):.0f}] |"
        )  # fmt: skip
    if wrong:
        print("not naming the side in the content's name:", "; ".join(wrong[:20]) + (" ..." if len(wrong) > 20 else ""))
    if args.json:
        args.json.write_text(json.dumps({c: dict(v) for c, v in counts.items()}, indent=1))


if __name__ == "__main__":
    main()
