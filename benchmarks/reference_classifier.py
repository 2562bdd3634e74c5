"""A reference classifier over joints, per real dataset, beside the published accuracy of a peer.

Not an MLLM: the small graph network skeleton-action papers train (``reference_model.py``),
trained on each dataset's official protocol through the project's own dataset plugins. A
reader bug (a swapped axis, a wrong joint order, mixed-up labels) shows as a gap between
our accuracy and the published figure; a large gap is investigated in docs/datasets.md.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/reference_classifier.py \
        --data-root /work/data --datasets nw_ucla --seeds 3 --threads 1

The data root holds one folder per dataset, named like its plugin (``nw_ucla/``,
``msr_action3d/``...), laid out as the dataset ships; ``SKELETONLLM_DATA`` is the default.
Every clip is read once per dataset and kept in memory as one array; each seed then trains
a fresh network for ``--epochs`` and reports the test accuracy after the last epoch (no
model selection on the test set). Printed per dataset: our accuracy (mean over seeds with a
Student-t 95 % interval), chance and the majority class (baselines that cannot see the
motion), the peer's published figure with its source, clips per second and time taken.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from reference_model import Augment, StGcnLite, prepare
from reference_protocols import PROTOCOLS, Protocol

from skeletonllm.atomic import atomic_write
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.progress import progress
from skeletonllm.registry import get_registry
from skeletonllm.stats import mean_interval
from skeletonllm.threads import configure_threads

RESULTS = Path(__file__).parent / "results"


#: simulated reader bugs (``--bug``): does the classifier's accuracy show them?
BUGS = {
    "swap-yz": "y and z swapped (the up axis read as depth)",
    "shuffle-joints": "joints in a wrong order (a fixed random permutation; the bones stay as declared)",
    "unit-x": "x in millimetres, y and z in metres (one axis scaled by 1000)",
}


def simulate_bug(positions: np.ndarray, mask: np.ndarray, bug: str) -> tuple[np.ndarray, np.ndarray]:
    """``positions`` (M, T, V, C) and ``mask`` (M, T, V) as a reader with ``bug`` would have returned them."""
    out = positions.copy()
    if bug == "swap-yz":
        out[..., [1, 2]] = positions[..., [2, 1]]
    elif bug == "shuffle-joints":
        order = np.random.default_rng(12345).permutation(positions.shape[2])
        return positions[:, :, order], mask[:, :, order]
    elif bug == "unit-x":
        out[..., 0] *= 1000.0
    return out, mask


def load_split(ds, split: str, frames: int, persons: int, bug: str | None = None) -> dict:
    """Every clip of ``split`` read once, prepared, stacked: ``x (N,M,T,V,C)``, ``mask``, ``y``."""
    xs, masks, ys, refused = [], [], [], []
    topology = None
    for sample in progress(list(ds.samples(split)), desc=f"reading {split}", unit="clip"):
        try:
            seq = sample.load()
        except SkeletonLLMError as exc:
            refused.append((sample.id, str(exc)))
            continue
        if topology is None:
            topology = seq.topology
        if bug is not None:
            seq.positions, seq.mask = simulate_bug(seq.positions, seq.mask, bug)
        x, m = prepare(seq, frames, persons)
        xs.append(x)
        masks.append(m)
        ys.append(sample.label)
    if not xs:
        raise SkeletonLLMError(f"split {split!r} of {ds.name!r} has no readable clip")
    return {
        "x": torch.from_numpy(np.stack(xs)),
        "mask": torch.from_numpy(np.stack(masks)),
        "y": torch.tensor(ys),
        "topology": topology,
        "refused": refused,
    }


def train_and_test(train: dict, test: dict, classes: int, protocol: Protocol, args, seed: int) -> dict:
    """One seed: a fresh network, SGD with a cosine schedule, accuracy after the last epoch."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = StGcnLite(train["topology"], classes, widths=tuple(args.widths))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.weight_decay)
    n = len(train["y"])
    per_epoch = max(1, n // args.batch_size)
    steps = min(args.max_steps, args.epochs * per_epoch)  # a budget: large sets get fewer epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=steps, pct_start=0.1)
    augment = Augment(yaw=protocol.yaw)
    losses, seen, start = [], 0, time.perf_counter()
    model.train()
    order = torch.randperm(n, generator=gen)
    for step in progress(range(steps), desc=f"seed {seed}", unit="step"):
        if step % per_epoch == 0 and step:
            order = torch.randperm(n, generator=gen)
        i = (step % per_epoch) * args.batch_size
        idx = order[i : i + args.batch_size]
        x, mask = augment(train["x"][idx], train["mask"][idx], gen)
        loss = torch.nn.functional.cross_entropy(model(x, mask), train["y"][idx], label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        seen += len(idx)
        losses.append(loss.item())
    train_s = time.perf_counter() - start
    model.eval()
    start = time.perf_counter()
    with torch.no_grad():
        logits = torch.cat(
            [model(test["x"][i : i + 256], test["mask"][i : i + 256]) for i in range(0, len(test["y"]), 256)]
        )
    test_s = time.perf_counter() - start
    hits = (logits.argmax(1) == test["y"]).numpy()
    return {
        "seed": seed,
        "accuracy": float(hits.mean()),
        "loss_first": float(np.mean(losses[: max(1, len(losses) // 20)])),
        "loss_last": float(np.mean(losses[-max(1, len(losses) // 20) :])),
        "steps": steps,
        "epochs": steps / per_epoch,
        "train_clips_per_s": seen / train_s,
        "test_clips_per_s": len(hits) / max(test_s, 1e-9),
        "train_s": train_s,
    }


def run_dataset(name: str, root: Path, args) -> dict:
    protocol = PROTOCOLS[name]
    ds = get_registry().create("dataset", name, protocol.options(root))
    start = time.perf_counter()
    folds = []
    for train_split, test_split in protocol.folds:
        train = load_split(ds, train_split, args.frames, protocol.persons, args.bug)
        test = load_split(ds, test_split, args.frames, protocol.persons, args.bug)
        folds.append((train_split, test_split, train, test))
    load_s = time.perf_counter() - start
    classes = len(ds.class_names)
    runs = []
    for seed in range(args.seeds):
        for train_split, test_split, train, test in folds:
            run = train_and_test(train, test, classes, protocol, args, seed)
            run.update(train_split=train_split, test_split=test_split)
            runs.append(run)
            print(
                f"  {name} seed {seed} {test_split}: accuracy {run['accuracy']:.3f}, loss "
                f"{run['loss_first']:.2f} -> {run['loss_last']:.2f}, {run['train_s']:.0f} s",
                file=sys.stderr,
            )
    per_seed = [float(np.mean([r["accuracy"] for r in runs if r["seed"] == s])) for s in range(args.seeds)]
    acc = mean_interval(per_seed)
    train_y = torch.cat([f[2]["y"] for f in folds])
    test_y = torch.cat([f[3]["y"] for f in folds])
    majority = Counter(train_y.tolist()).most_common(1)[0][0]
    first = folds[0]
    return {
        "dataset": name,
        "protocol": protocol.describe,
        "folds": [(f[0], f[1], len(f[2]["y"]), len(f[3]["y"])) for f in folds],
        "classes": classes,
        "train_clips": int(len(first[2]["y"])),
        "test_clips": int(len(first[3]["y"])),
        "refused": [r for f in folds for r in f[2]["refused"] + f[3]["refused"]],
        "joints": first[2]["topology"].num_joints,
        "dims": first[2]["topology"].dims,
        "accuracy_per_seed": per_seed,
        "mean": acc.value,
        "low": acc.low,
        "high": acc.high,
        "chance": 1.0 / classes,
        "majority": float((test_y == majority).float().mean()),
        "published": protocol.published,
        "note": protocol.note,
        "train_clips_per_s": float(np.mean([r["train_clips_per_s"] for r in runs])),
        "test_clips_per_s": float(np.mean([r["test_clips_per_s"] for r in runs])),
        "load_s": load_s,
        "total_s": time.perf_counter() - start,
        "runs": runs,
    }


def markdown(results: list[dict]) -> str:
    """The table, then how each row was made (command, machine, load) and the notes."""
    lines = [
        "| dataset | protocol (train/test clips) | classes | ours: mean [95 % CI] over seeds | chance | majority |"
        " published peer | gap | train clips/s | time here |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        peer = r["published"]
        gap = f"{100 * r['mean'] - peer['accuracy']:+.1f}" if peer else "-"
        peer_cell = f"{peer['method']} {peer['accuracy']:.1f} % ({peer['source']})" if peer else f"none: {r['note']}"
        sizes = (
            f"{r['train_clips']}/{r['test_clips']}"
            if len(r["folds"]) == 1
            else f"{len(r['folds'])} folds of {r['train_clips'] + r['test_clips']}"
        )
        lines.append(
            f"| {r['dataset']} | {r['protocol']} ({sizes}) | {r['classes']} "
            f"| {100 * r['mean']:.1f} [{100 * r['low']:.1f}, {100 * r['high']:.1f}] "
            f"| {100 * r['chance']:.1f} | {100 * r['majority']:.1f} | {peer_cell} | {gap} "
            f"| {r['train_clips_per_s']:.0f} | {r['total_s'] / 60:.1f} min |"
        )
    lines.append("")
    for r in results:
        lines.append(f"- `{r['dataset']}`: `{r.get('command', '')}`; {r.get('run', '')}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=os.environ.get("SKELETONLLM_DATA"))
    parser.add_argument("--datasets", nargs="+", default=sorted(PROTOCOLS), choices=sorted(PROTOCOLS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--max-steps", type=int, default=600, help="at most this many SGD steps per training run")
    parser.add_argument("--frames", type=int, default=32, help="every clip resampled to this length")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--widths", type=int, nargs="+", default=[32, 32, 64, 64])
    parser.add_argument(
        "--bug",
        choices=sorted(BUGS),
        default=None,
        help="simulate a reader bug: " + "; ".join(f"{k}: {v}" for k, v in BUGS.items()),
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "reference_classifier")
    parser.add_argument("--fresh", action="store_true", help="drop the rows of earlier runs kept in --out")
    args = parser.parse_args()
    if args.data_root is None:
        parser.error("give --data-root or set SKELETONLLM_DATA (one sub-folder per dataset, named like its plugin)")
    choice = configure_threads(args.threads)
    load = os.getloadavg()[0]
    header = (
        f"python {sys.version.split()[0]}, torch {torch.__version__}, {os.cpu_count()} CPUs, {choice.describe()}, "
        f"load average {load:.2f} at the start; {args.seeds} seeds, {args.epochs} epochs, {args.frames} frames, "
        f"widths {args.widths}, at most {args.max_steps} steps"
        + (f"; simulated reader bug: {BUGS[args.bug]}" if args.bug else "")
    )
    print(header)
    known = set(get_registry().names("dataset"))
    command = "OMP_NUM_THREADS=1 nice -n 10 python benchmarks/reference_classifier.py " + " ".join(sys.argv[1:])
    saved = {} if args.fresh else load_results(args.out)
    for name in args.datasets:
        root = args.data_root / (PROTOCOLS[name].folder or name)
        if name not in known:
            print(f"{name}: skipped, no dataset plugin {name!r} is installed", file=sys.stderr)
            continue
        if not root.is_dir():
            print(f"{name}: skipped, {root} is not a folder", file=sys.stderr)
            continue
        r = run_dataset(name, root, args)
        r.update(run=header + f"; load average {os.getloadavg()[0]:.2f} at the end", command=command)
        saved[name] = r
        save_results(args.out, saved)  # after every dataset: a killed run keeps what it finished
        print(
            f"{name}: {100 * r['mean']:.1f} % [{100 * r['low']:.1f}, {100 * r['high']:.1f}] over {args.seeds} seeds "
            f"(chance {100 * r['chance']:.1f}), {r['train_clips']}/{r['test_clips']} clips, "
            f"{r['total_s'] / 60:.1f} min; load average now {os.getloadavg()[0]:.2f}"
        )
    print(markdown([saved[k] for k in PROTOCOLS if k in saved]))


def load_results(out: Path) -> dict[str, dict]:
    """Datasets already measured into ``out`` (other runs' rows are kept beside this run's)."""
    path = out.with_suffix(".json")
    if not path.is_file():
        return {}
    return {r["dataset"]: r for r in json.loads(path.read_text())["results"]}


def save_results(out: Path, saved: dict[str, dict]) -> None:
    rows = [saved[k] for k in PROTOCOLS if k in saved]
    with atomic_write(out.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps({"results": rows}, indent=1, default=str))
    with atomic_write(out.with_suffix(".md")) as tmp:
        tmp.write_text(markdown(rows))


if __name__ == "__main__":
    main()
