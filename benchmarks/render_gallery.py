"""Render the gallery in docs/renderers.md: one motion, every topology, every renderer.

Usage (from the repository root)::

    python benchmarks/render_gallery.py                 # writes docs/images/gallery_*.png
    python benchmarks/render_gallery.py --no-real       # skip the CMU BVH / COCO samples
    python benchmarks/render_gallery.py --speed         # time each renderer instead (12 frames, 448 px)

The motion is SynthAct's clean "hand waving" (``randomize=False``): the same
performance emitted as Kinect v2 (25 joints), Kinect v1 (20), SMPL-22,
COCO-17 (2D) and the humanoid's own BVH hierarchy. Each renderer gets one
picture: a row per topology, ``--frames`` evaluation-sampled frames per row.
Real samples are added only where their licence allows publishing pictures:
CMU mocap BVH (free to use) and COCO keypoints (CC BY 4.0). NTU, PKU-MMD,
NW-UCLA, HumanML3D and AMASS are restricted, so they are never rendered here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch
from PIL import Image, ImageDraw

from skeletonllm.batch import SkeletonBatch
from skeletonllm.imaging import contact_sheet
from skeletonllm.io import read_sequences
from skeletonllm.progress import progress
from skeletonllm.registry import get_registry
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.threads import configure_threads

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SKELETONLLM_SHARED_DATA", REPO.parent / "shared" / "data"))
LABEL_WIDTH = 96
#: (label, path under the shared data folder): samples whose licence allows publishing pictures of them
PUBLISHABLE = (("CMU BVH", "cmu_mocap_bvh/131_01.bvh"), ("COCO 2D", "coco_keypoints/test_coco.json"))


Row = tuple[str, list[SkeletonSequence]]


def synthetic_rows(action: str, seed: int) -> list[Row]:
    from skeletonllm_datasets.synthetic import TOPOLOGIES, generate

    return [(topo, [generate(action, topo, seed, randomize=False)]) for topo in TOPOLOGIES]


def real_rows() -> list[Row]:
    """A clip file gives one row of sampled frames; a container of one-frame poses (COCO) one pose per frame."""
    rows = []
    for label, relative in PUBLISHABLE:
        path = SHARED / relative
        if path.exists():
            # COCO lists every person, even ones with no labelled keypoint: show the best-annotated ones.
            seqs = sorted(read_sequences(path), key=lambda q: -int(q.mask.sum()))
            rows.append((label, [q for q in seqs if q.mask.sum() >= 10]))
        else:
            print(f"skipping {label}: {path} not found", file=sys.stderr)
    return rows


def labelled_strip(label: str, strip: Image.Image) -> Image.Image:
    """The frame strip with its row name on a grey band at the left."""
    row = Image.new("RGB", (LABEL_WIDTH + strip.width, strip.height), (40, 40, 40))
    row.paste(strip, (LABEL_WIDTH, 0))
    ImageDraw.Draw(row).text((6, strip.height // 2 - 6), label, fill=(230, 230, 230))
    return row


def render_rows(renderer_name: str, rows: list[Row], frames: int, size: int) -> Image.Image:
    renderer = get_registry().create("renderer", renderer_name, {"frames": frames, "size": size}).eval()
    strips = []
    for label, seqs in rows:
        if len(seqs) == 1:
            batches = [SkeletonBatch.from_sequences(seqs, frames=frames, train=False)]
        else:
            batches = [SkeletonBatch.from_sequences([s], frames=1, train=False) for s in seqs[:frames]]
        with torch.no_grad():
            images = torch.cat([renderer(b)[0] for b in batches])
        strips.append(labelled_strip(label, contact_sheet(images, columns=frames)))
    sheet = Image.new("RGB", (strips[0].width, sum(s.height for s in strips) + 2 * (len(strips) - 1)), (64, 64, 64))
    y = 0
    for strip in strips:
        sheet.paste(strip, (0, y))
        y += strip.height + 2
    return sheet


def speed_table(names: list[str], action: str, seed: int, frames: int = 12, size: int = 448, repeats: int = 3) -> None:
    """Median wall and CPU time of one forward pass (no gradient) on synthetic Kinect v2 clips.

    CPU time (all threads of this process) is printed next to wall time because it
    hardly changes when other jobs share the machine, while wall time does.
    """
    from skeletonllm_datasets.synthetic import generate

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {frames} frames at {size}x{size}")
    print(f"{'renderer':<14} {'persons':>7} {'wall ms':>8} {'CPU ms':>8}")
    clips = [generate(action, "kinect_v2", seed, randomize=False), generate("handshaking", "kinect_v2", seed)]
    for name in names:
        renderer = get_registry().create("renderer", name, {"frames": frames, "size": size}).eval()
        for clip in clips:
            batch = SkeletonBatch.from_sequences([clip], frames=frames, train=False)
            walls, cpus = [], []
            with torch.no_grad():
                renderer(batch)  # warm-up
                for _ in range(repeats):
                    wall, cpu = time.perf_counter(), time.process_time()
                    renderer(batch)
                    walls.append(time.perf_counter() - wall)
                    cpus.append(time.process_time() - cpu)
            mid = len(walls) // 2
            print(
                f"{name:<14} {clip.num_persons:>7} {sorted(walls)[mid] * 1000:>8.0f} {sorted(cpus)[mid] * 1000:>8.0f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--size", type=int, default=160)
    parser.add_argument("--action", default="hand waving")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--renderers", nargs="*", default=None, help="default: every registered renderer")
    parser.add_argument("--no-real", action="store_true", help="leave out the CMU BVH / COCO samples")
    parser.add_argument("--speed", action="store_true", help="print forward times at 12 frames x 448 px instead")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    args = parser.parse_args()

    torch.manual_seed(0)
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    names = args.renderers or get_registry().names("renderer")
    if args.speed:
        speed_table(names, args.action, args.seed)
        return
    synthetic = synthetic_rows(args.action, args.seed)
    real = [] if args.no_real else real_rows()
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in progress(names, desc="gallery", unit="renderer"):
        started = time.perf_counter()
        for kind, rows in (("synthetic", synthetic), ("real", real)):
            if not rows:
                continue
            path = args.out / f"gallery_{kind}_{name}.png"
            render_rows(name, rows, args.frames, args.size).save(path, optimize=True)
            written.append((path, time.perf_counter() - started))
    print(f"{'file':<48} {'KB':>6}")
    for path, _ in written:
        print(
            f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path!s:<48} {path.stat().st_size / 1024:6.1f}"
        )
    largest = max(p.stat().st_size for p, _ in written) / 1024
    print(f"wrote {len(written)} pictures ({len(names)} renderers, largest {largest:.0f} KB) to {args.out}")
    if largest > 150:
        print("warning: a picture is over 150 KB; lower --size or --frames", file=sys.stderr)


if __name__ == "__main__":
    main()
