"""Data loading throughput: raw files vs the Arrow cache, and what the cache costs on disk.

Writes ``--n`` SynthAct clips as NTU ``.skeleton`` files (through the format
plugin's writer), then measures sequences per second for (1) reading them
with the ``ntu120`` dataset plugin and preprocessing, (2) building the Arrow
cache with ``--workers`` processes, (3) loading from the cache (memory-mapped
batches), and the cache's size per 1,000 sequences.

    /work/venv/bin/python benchmarks/data_throughput.py --n 400
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from skeletonllm.registry import get_registry
from skeletonllm.threads import configure_threads
from skeletonllm_datasets.cache import cached_split
from skeletonllm_datasets.preprocess import PreprocessConfig, preprocess
from skeletonllm_datasets.synthetic import ACTIONS, ntu_id
from skeletonllm_datasets.synthetic.export import write_synthetic


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400, help="clips to write and load")
    parser.add_argument("--frames", type=int, default=32, help="frames kept by preprocessing")
    parser.add_argument("--workers", type=int, default=2, help="processes for the cache build")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    args = parser.parse_args()
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    cfg = PreprocessConfig(frames=args.frames)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        in_ntu120 = [a for a in ACTIONS if ntu_id(a) <= 120]  # "step forward" (A121) is no NTU class
        write_synthetic("ntu_skeleton", args.n, 0, raw, actions=in_ntu120)
        ds = get_registry().create("dataset", "ntu120", {"root": str(raw), "exclude_missing": False})
        samples = list(ds.samples("xsub/train")) + list(ds.samples("xsub/test"))

        t0 = time.perf_counter()
        for s in samples:
            preprocess(s.load(), cfg)
        raw_rate = len(samples) / (time.perf_counter() - t0)

        t0 = time.perf_counter()
        built = cached_split(ds, "xsub/train", cfg, cache_dir=Path(tmp) / "cache", num_proc=args.workers)
        build_rate = len(built) / (time.perf_counter() - t0)

        t0 = time.perf_counter()
        again = cached_split(ds, "xsub/train", cfg, cache_dir=Path(tmp) / "cache")
        reopen_s = time.perf_counter() - t0
        assert again.reused
        t0 = time.perf_counter()
        rows = 0
        for start in range(0, len(again.data), 64):
            batch = again.data[start : start + 64]
            rows += len(batch["positions"])
        cached_rate = rows / (time.perf_counter() - t0)
        size = folder_bytes(again.path / "data")
        raw_size = folder_bytes(raw) / len(samples) * len(again)

    print(
        f"{len(samples)} NTU .skeleton clips (SynthAct, Kinect v2, 1-2 persons), preprocessed to {args.frames} frames"
    )
    print("| measure | value |")
    print("|---|---|")
    print(f"| raw reading + preprocessing | {raw_rate:.0f} sequences/s |")
    print(f"| cache build ({args.workers} processes, incl. reading) | {build_rate:.0f} sequences/s |")
    print(f"| cache reopen (second run) | {reopen_s * 1000:.0f} ms |")
    print(f"| cached loading (memory-mapped, batches of 64) | {cached_rate:.0f} sequences/s |")
    print(
        f"| cache size per 1k sequences | {size / len(again) * 1000 / 2**20:.1f} MiB (raw .skeleton: {raw_size / len(again) * 1000 / 2**20:.1f} MiB) |"
    )


if __name__ == "__main__":
    main()
