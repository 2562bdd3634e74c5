"""Linear baselines on SynthAct's default split: how hard is the benchmark?

A softmax regression (multinomial logistic regression, torch, full batch,
L2-regularised) on (a) raw joint coordinates after the cache's preprocessing
and (b) ``stick`` renders (64x64, 4 frames). If either came close to 100 %
the benchmark would leave the renderer and training ablations no room to
differ; ``docs/datasets.md`` records the figures this prints.

    /work/venv/bin/python benchmarks/synthact_baselines.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.progress import progress
from skeletonllm.registry import get_registry
from skeletonllm.threads import configure_threads
from skeletonllm_datasets.cache import cached_split
from skeletonllm_datasets.preprocess import PreprocessConfig


def softmax_regression(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, classes: int, weight_decay: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Standardise features, fit W,b with L-BFGS on cross-entropy + L2; predictions for train and test."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    xt = torch.from_numpy((x_train - mean) / std).float()
    xs = torch.from_numpy((x_test - mean) / std).float()
    yt = torch.from_numpy(y_train).long()
    w = torch.zeros(xt.shape[1], classes, requires_grad=True)
    b = torch.zeros(classes, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=steps, history_size=20, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(xt @ w + b, yt) + weight_decay * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return (xt @ w + b).argmax(1).numpy(), (xs @ w + b).argmax(1).numpy()


def joint_features(ds, split: str, frames: int, cache_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    cached = cached_split(ds, split, PreprocessConfig(frames=frames), cache_dir=cache_dir, num_proc=2)
    pos = np.stack(cached.data["positions"]).astype(np.float32)
    return pos.reshape(len(pos), -1), np.asarray(cached.data["label"])


def stick_features(ds, split: str, size: int, frames: int) -> tuple[np.ndarray, np.ndarray]:
    renderer = get_registry().create("renderer", "stick", {"size": size, "frames": frames})
    samples = list(ds.samples(split))
    feats, labels = [], []
    for start in progress(range(0, len(samples), 32), desc=f"stick {split}", unit="batch"):
        chunk = samples[start : start + 32]
        batch = SkeletonBatch.from_sequences([s.load() for s in chunk], frames=frames, max_persons=2)
        with torch.no_grad():
            img = renderer(batch)
        feats.append(img.reshape(len(chunk), -1).numpy())
        labels += [s.label for s in chunk]
    return np.concatenate(feats), np.asarray(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples-per-class", type=int, default=40)
    parser.add_argument("--subjects", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--frames", type=int, default=4, help="stick frames")
    parser.add_argument("--joint-frames", type=int, default=16)
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    args = parser.parse_args()
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    torch.manual_seed(0)
    ds = get_registry().create(
        "dataset",
        "synthetic",
        {"samples_per_class": args.samples_per_class, "subjects": args.subjects, "seed": args.seed},
    )
    classes = len(ds.class_names)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        xtr, ytr = joint_features(ds, "xsub/train", args.joint_frames, Path(tmp))
        xte, yte = joint_features(ds, "xsub/test", args.joint_frames, Path(tmp))
        ptr, pte = softmax_regression(xtr, ytr, xte, classes, args.weight_decay, args.steps)
        rows.append(
            (
                "raw joints (kinect_v2, 16 frames, normalised)",
                xtr.shape[1],
                (ptr == ytr).mean(),
                (pte == yte).mean(),
                time.perf_counter() - t0,
            )
        )
    t0 = time.perf_counter()
    xtr, ytr = stick_features(ds, "xsub/train", args.size, args.frames)
    xte, yte = stick_features(ds, "xsub/test", args.size, args.frames)
    ptr, pte = softmax_regression(xtr, ytr, xte, classes, args.weight_decay, args.steps)
    rows.append(
        (
            f"stick renders ({args.size}x{args.size}, {args.frames} frames)",
            xtr.shape[1],
            (ptr == ytr).mean(),
            (pte == yte).mean(),
            time.perf_counter() - t0,
        )
    )
    print(f"SynthAct xsub: {len(ytr)} train / {len(yte)} test clips, {classes} classes, chance {1 / classes:.3f}")
    print("| features | dims | train acc | test acc | seconds |")
    print("|---|---|---|---|---|")
    for name, dims, tr, te, sec in rows:
        print(f"| {name} | {dims} | {tr:.3f} | {te:.3f} | {sec:.0f} |")


if __name__ == "__main__":
    main()
