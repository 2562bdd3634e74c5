"""Render the gallery in docs/renderers.md: SynthAct in every topology and every real sample, by every renderer.

Usage (from the repository root)::

    python benchmarks/render_gallery.py                 # docs/images/gallery_*.png (+ out/gallery_restricted/)
    python benchmarks/render_gallery.py --no-real       # SynthAct only
    python benchmarks/render_gallery.py --framing       # DrAction's framing measured per clip, both cameras
    python benchmarks/render_gallery.py --speed         # time each renderer instead (12 frames, 448 px)

The motion is SynthAct's clean "hand waving" (``randomize=False``): the same
performance emitted as Kinect v2 (25 joints), Kinect v1 (20), SMPL-22,
COCO-17 (2D) and the humanoid's own BVH hierarchy. Each renderer gets one
picture: a row per topology, ``--frames`` evaluation-sampled frames per row.

Every real sample under the shared data folder that reads on its own (AMASS
needs a licensed body model and is listed as skipped) is rendered too, one
row per file. Only the samples whose licence allows publishing pictures (CMU
mocap BVH: free to use; COCO keypoints: CC BY 4.0) go to ``docs/images``.
NTU RGB+D, PKU-MMD, NW-UCLA and HumanML3D (AMASS-derived) forbid
redistribution, so their pictures go to ``--local-out`` (``out/``, ignored by
git) for looking at locally, never into the repository.

``--framing`` prints, per clip and camera (``fixed``, ``follow``), what the
framing tests check: the foreground share range, frames touching the border
and the tallest/shortest figure ratio, over every real sample, SynthAct's
locomotion classes in three topologies and SynthAct walks carried 5 m towards
the camera (metres and millimetres); DrAction's default camera was chosen
from this table (docs/draction.md).
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
from skeletonllm.errors import SkeletonLLMError
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
#: folders of the shared data that hold no skeleton clips
NOT_CLIPS = {"splits", "label_maps"}
LOCOMOTION = ("step forward", "hopping (one foot jumping)", "jump up")


Row = tuple[str, list[SkeletonSequence]]


def synthetic_rows(action: str, seed: int) -> list[Row]:
    from skeletonllm_datasets.synthetic import TOPOLOGIES, generate

    return [(topo, [generate(action, topo, seed, randomize=False)]) for topo in TOPOLOGIES]


def sample_files() -> list[Path]:
    """Every file under the shared data folder that may hold skeletons (not READMEs, splits or label maps)."""
    if not SHARED.is_dir():
        print(f"no real samples: {SHARED} not found (set SKELETONLLM_SHARED_DATA)", file=sys.stderr)
        return []
    return sorted(
        p
        for p in SHARED.rglob("*")
        if p.is_file() and p.suffix != ".md" and not NOT_CLIPS & set(p.relative_to(SHARED).parts)
    )


def read_sample(path: Path) -> list[SkeletonSequence]:
    """The file's sequences, or [] with the reason on stderr when it does not read on its own."""
    try:
        return read_sequences(path)
    except SkeletonLLMError as exc:
        print(f"skipping {path.relative_to(SHARED)}: {str(exc).splitlines()[0][:140]}", file=sys.stderr)
        return []


def real_rows() -> tuple[list[Row], list[Row]]:
    """(publishable rows, restricted rows): one row per file; a container of one-frame poses (COCO) one pose a frame."""
    publishable = {relative: label for label, relative in PUBLISHABLE}
    public, restricted = [], []
    for path in sample_files():
        relative = str(path.relative_to(SHARED))
        seqs = read_sample(path)
        if not seqs:
            continue
        # COCO lists every person, even ones with no labelled keypoint: show the best-annotated ones.
        if len(seqs) > 1:
            seqs = [q for q in sorted(seqs, key=lambda q: -int(q.mask.sum())) if q.mask.sum() >= 10]
        if relative in publishable:
            public.append((publishable[relative], seqs))
        else:
            restricted.append((path.stem[:14], seqs[:1]))
    return public, restricted


def framing_clips() -> list[tuple[str, SkeletonSequence]]:
    """What the framing table measures: every real sample, SynthAct locomotion, 5 m walks towards the camera."""
    from skeletonllm_datasets.synthetic import generate
    from skeletonllm_datasets.synthetic.travel import travelled

    clips = []
    for path in sample_files():
        for seq in read_sample(path)[:1]:
            clips.append((str(path.relative_to(SHARED)), seq))
    for action in LOCOMOTION:
        for topo in ("kinect_v2", "smpl22", "coco17"):
            clips.append((f"SynthAct {action} ({topo})", generate(action, topo, 0, randomize=False)))
    for unit, name in ((1.0, "m"), (1000.0, "mm")):
        walk = generate("step forward", "kinect_v2", 0, randomize=False)
        clips.append((f"walk 6 m -> 1 m ({name})", travelled(walk, [0.0, 0.0, 6.0], [0.0, 0.0, 1.0], unit)))
    return clips


def framing_table(frames: int = 12, size: int = 64) -> None:
    """Per clip and camera: foreground share range, frames on the border, height ratio (the framing tests' terms)."""
    from skeletonllm_draction.framing_check import framing_stats

    modes = ("fixed", "follow")
    renderers = {m: get_registry().create("renderer", "draction", {"size": size, "framing": m}).eval() for m in modes}
    print(f"DrAction framing, {frames} frames at {size} px, untrained renderer")
    print("| clip | camera | foreground % (min-max) | frames on border | height ratio |")
    print("|---|---|---|---:|---:|")
    worst = {m: 0.0 for m in modes}
    for label, seq in progress(framing_clips(), desc="framing", unit="clip"):
        batch = SkeletonBatch.from_sequences([seq], frames=frames, train=False)
        for mode in modes:
            with torch.no_grad():
                stats = framing_stats(renderers[mode](batch)[0])
            worst[mode] = max(worst[mode], stats.height_ratio)
            fg = f"{100 * min(stats.foreground):.1f}-{100 * max(stats.foreground):.1f}"
            print(f"| {label} | {mode} | {fg} | {sum(stats.border)} | {stats.height_ratio:.2f} |")
    print("worst height ratio: " + ", ".join(f"{m} {worst[m]:.2f}" for m in modes))


def framing_sheet(rows: list[Row], frames: int, size: int) -> Image.Image:
    """DrAction's two cameras on clips that travel: each row drawn fixed, then follow."""
    strips = []
    for label, seqs in rows:
        for mode in ("fixed", "follow"):
            opts = {"frames": frames, "size": size, "framing": mode}
            renderer = get_registry().create("renderer", "draction", opts).eval()
            with torch.no_grad():
                images = renderer(SkeletonBatch.from_sequences(seqs[:1], frames=frames, train=False))[0]
            strips.append(labelled_strip(f"{label}\n{mode}", contact_sheet(images, columns=frames)))
    return stack(strips)


def travel_rows(public: list[Row]) -> list[Row]:
    from skeletonllm_datasets.synthetic import generate
    from skeletonllm_datasets.synthetic.travel import travelled

    walk = travelled(generate("step forward", "kinect_v2", 0, randomize=False), [0.0, 0, 6.0], [0.0, 0, 1.0])
    return [("walk 5 m", [walk])] + [row for row in public if row[0] == "CMU BVH"]


def labelled_strip(label: str, strip: Image.Image) -> Image.Image:
    """The frame strip with its row name on a grey band at the left."""
    row = Image.new("RGB", (LABEL_WIDTH + strip.width, strip.height), (40, 40, 40))
    row.paste(strip, (LABEL_WIDTH, 0))
    ImageDraw.Draw(row).multiline_text((6, strip.height // 2 - 12), label, fill=(230, 230, 230))
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
    return stack(strips)


def stack(strips: list[Image.Image]) -> Image.Image:
    """Strips one under the other with a thin grey gap."""
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
    parser.add_argument("--no-real", action="store_true", help="leave out the real samples")
    parser.add_argument(
        "--local-out", type=Path, default=REPO / "out" / "gallery_restricted", help="pictures of restricted samples"
    )
    parser.add_argument("--speed", action="store_true", help="print forward times at 12 frames x 448 px instead")
    parser.add_argument("--framing", action="store_true", help="print DrAction's framing table instead")
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
    if args.framing:
        framing_table()
        return
    synthetic = synthetic_rows(args.action, args.seed)
    public, restricted = ([], []) if args.no_real else real_rows()
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in progress(names, desc="gallery", unit="renderer"):
        started = time.perf_counter()
        for kind, rows, folder in (
            ("synthetic", synthetic, args.out),
            ("real", public, args.out),
            ("restricted", restricted, args.local_out),
        ):
            if not rows:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"gallery_{kind}_{name}.png"
            render_rows(name, rows, args.frames, args.size).save(path, optimize=True)
            written.append((path, time.perf_counter() - started))
    if "draction" in names:
        path = args.out / "gallery_framing_draction.png"
        framing_sheet(travel_rows(public), args.frames, args.size).save(path, optimize=True)
        written.append((path, 0.0))
    print(f"{'file':<48} {'KB':>6}")
    for path, _ in written:
        print(
            f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path!s:<48} {path.stat().st_size / 1024:6.1f}"
        )
    largest = max(p.stat().st_size for p, _ in written) / 1024
    public_kb = sum(p.stat().st_size for p, _ in written if p.parent == args.out) / 1024
    print(
        f"wrote {len(written)} pictures ({len(names)} renderers, largest {largest:.0f} KB; "
        f"{public_kb:.0f} KB in {args.out}, restricted samples only in {args.local_out})"
    )
    if largest > 150:
        print("warning: a picture is over 150 KB; lower --size or --frames", file=sys.stderr)


if __name__ == "__main__":
    main()
