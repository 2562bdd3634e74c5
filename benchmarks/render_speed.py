"""DrAction rendering speed: per-frame milliseconds and peak memory, by backend, size and persons.

Usage::

    python benchmarks/render_speed.py            # table with dense/torch ratios
    python benchmarks/render_speed.py --json     # one JSON list, one object per row

Scene: the procedural ``hand waving`` (one person) and ``handshaking`` (two
persons) clips in Kinect v2 layout (25 joints, 24 bones: 265 Gaussians a
person), 12 frames by uniform segment sampling, through the whole DrAction
renderer (Gaussians, LBS, NFM, colour map and rasteriser). ``forward`` runs
without autograd (inference); ``forward_backward`` runs with it and
back-propagates the mean pixel. Each row is the best of ``--repeats`` runs
after one warm-up (and one more pass that measures memory only). The dense reference is timed on ``--dense-frames`` frames
(it costs seconds per frame) and reported per frame like the others.

Agreement: in the same run, the ``torch`` (and ``gsplat``) images of the
dense rows' clip are compared with the dense reference's, pixel by pixel; the
table's last columns give the largest absolute difference and the share of
pixel values that differ by more than 1e-5, the tolerance of the agreement
tests in ``tests/draction/test_rasterize.py``. Differences beyond it come
from alphas within rounding of the 1/255 cut-off or of the 1e-4
transmittance stop, which any reordering of float operations flips.

Peak memory: on CUDA ``torch.cuda.max_memory_allocated`` during the run; on
CPU the peak resident set size (sampled every millisecond from a thread)
minus the resident size just before the run, i.e. what the run added.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import psutil
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.progress import progress
from skeletonllm.threads import configure_threads
from skeletonllm_draction import DrActionRenderer
from skeletonllm_draction.options import DrActionOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
from skeletonllm_datasets.synthetic import generate  # noqa: E402

CLIPS = {1: "hand waving", 2: "handshaking"}


class PeakRss:
    """Peak resident set size above the starting point, sampled from a background thread."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self.start = self.proc.memory_info().rss
        self.peak = self.start
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.001)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def added_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def run_once(
    renderer: DrActionRenderer, batch: SkeletonBatch, backward: bool, device: torch.device, memory: bool = True
) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MB of one forward (+ backward) pass.

    On CPU the peak is sampled by a thread polling every millisecond, which
    costs CPU and contends for the interpreter; ``memory=False`` times the
    pass without it (the timed repeats), and one separate pass measures memory.
    """
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        start, cpu = time.perf_counter(), time.process_time()
        with torch.set_grad_enabled(backward):
            images = renderer(batch)
            if backward:
                images.mean().backward()
        torch.cuda.synchronize()
        peak = (torch.cuda.max_memory_allocated() - base) / 2**20
        return time.perf_counter() - start, time.process_time() - cpu, peak
    if not memory:
        start, cpu = time.perf_counter(), time.process_time()
        with torch.set_grad_enabled(backward):
            images = renderer(batch)
            if backward:
                images.mean().backward()
        return time.perf_counter() - start, time.process_time() - cpu, 0.0
    with PeakRss() as rss:
        start, cpu = time.perf_counter(), time.process_time()
        with torch.set_grad_enabled(backward):
            images = renderer(batch)
            if backward:
                images.mean().backward()
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu_seconds, rss.added_mb


def build(backend: str, size: int, persons: int, frames: int, device: torch.device):
    """The renderer (same parameters for every backend: seeded) and the benchmark clip."""
    torch.manual_seed(0)
    renderer = DrActionRenderer(DrActionOptions(size=size, backend=backend)).to(device)
    seq = generate(CLIPS[persons], "kinect_v2", 0, randomize=False)
    return renderer, SkeletonBatch.from_sequences([seq], frames=frames).to(device)


def agreement(backend: str, size: int, persons: int, frames: int, device: torch.device) -> tuple[float, float]:
    """Largest |backend - dense| over the images of the dense rows' clip, and the share of values beyond 1e-5."""
    with torch.no_grad():
        images = [build(name, size, persons, frames, device) for name in (backend, "dense")]
        ours, dense = (renderer(batch) for renderer, batch in images)
    diff = (ours - dense).abs()
    return float(diff.max()), float((diff > 1e-5).float().mean())


def measure(
    backend: str, size: int, persons: int, frames: int, backward: bool, repeats: int, device: torch.device
) -> dict:
    renderer, batch = build(backend, size, persons, frames, device)
    run_once(renderer, batch, backward, device, memory=False)  # warm-up: template cache, allocator, kernels
    renderer.zero_grad(set_to_none=True)
    _, _, best_mb = run_once(renderer, batch, backward, device)  # memory, on its own pass
    best_s, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        renderer.zero_grad(set_to_none=True)
        seconds, cpu_seconds, _ = run_once(renderer, batch, backward, device, memory=False)
        best_cpu = min(best_cpu, cpu_seconds)
        best_s = min(best_s, seconds)
    row = {
        "backend": backend,
        "size": size,
        "persons": persons,
        "frames": frames,
        "pass": "forward_backward" if backward else "forward",
        "ms_per_frame": round(1000 * best_s / frames, 2),
        "peak_mb": round(best_mb, 1),
    }
    # process CPU time (all threads): not part of the JSON contract, shown in the table because on a
    # shared machine wall time also counts other people's work
    row["_cpu_ms_per_frame"] = round(1000 * best_cpu / frames, 2)
    return row


def print_table(rows: list[dict]) -> None:
    by_key = {(r["backend"], r["size"], r["persons"], r["pass"]): r for r in rows}
    head = (
        f"{'backend':8} {'size':>5} {'pers':>4} {'frames':>6} {'pass':17} {'ms/frame':>9} {'cpu ms/fr':>9} "
        f"{'peak MB':>8} {'dense/this':>10} {'12-frame s':>10} {'max|d-dense|':>12} {'>1e-5':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        dense = by_key.get(("dense", r["size"], r["persons"], r["pass"]))
        ratio = f"{dense['ms_per_frame'] / r['ms_per_frame']:.1f}x" if dense and r["backend"] != "dense" else ""
        twelve = 12 * r["ms_per_frame"] / 1000
        agree = r.get("max_diff_vs_dense")
        close = f"{agree:>12.1e} {r['share_beyond_1e-5']:>7.1e}" if agree is not None else f"{'':>12} {'':>7}"
        print(
            f"{r['backend']:8} {r['size']:>5} {r['persons']:>4} {r['frames']:>6} {r['pass']:17} "
            f"{r['ms_per_frame']:>9.1f} {r['_cpu_ms_per_frame']:>9.1f} {r['peak_mb']:>8.1f} {ratio:>10} {twelve:>10.2f} "
            f"{close}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON list instead of the table")
    parser.add_argument("--sizes", type=int, nargs="+", default=[224, 448])
    parser.add_argument("--persons", type=int, nargs="+", default=[1, 2], choices=[1, 2])
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--dense-frames", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=None, help="default: torch dense (+ gsplat on CUDA)")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    args = parser.parse_args(argv)
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    backends = args.backends or (["torch", "dense"] + (["gsplat"] if device.type == "cuda" else []))
    jobs = [
        (backend, size, persons, backward)
        for size in args.sizes
        for persons in args.persons
        for backend in backends
        for backward in (False, True)
    ]
    load_before = os.getloadavg()[0]
    rows = []
    for backend, size, persons, backward in progress(jobs, desc="render_speed", unit="row"):
        frames = args.dense_frames if backend == "dense" else args.frames
        rows.append(measure(backend, size, persons, frames, backward, args.repeats, device))
    if "dense" in backends:
        for row in rows:
            if row["backend"] != "dense" and row["pass"] == "forward":
                diff, share = agreement(row["backend"], row["size"], row["persons"], args.dense_frames, device)
                row["max_diff_vs_dense"], row["share_beyond_1e-5"] = diff, share
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], indent=1))
    else:
        print(f"command: python {' '.join(sys.argv)}")
        print(
            f"device: {device}, torch threads: {torch.get_num_threads()}, load average before the run: "
            f"{load_before:.1f}, after: {os.getloadavg()[0]:.1f}"
        )
        print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
