"""Time and peak memory of one training step per backbone preset on this machine.

Each backbone runs in its own subprocess so its peak resident memory (or,
on a GPU, ``torch.cuda.max_memory_allocated``) is its own and not the
maximum of everything measured before it. A step is forward + backward +
AdamW update of the default trainable groups, on random frames, with the
MQA prompt over a few classes; the first step is a warm-up and not timed.

    python benchmarks/backbone_step.py                    # table
    python benchmarks/backbone_step.py --frames 12 --json # machine-readable
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from skeletonllm.threads import configure_threads

#: Row name -> (registered backbone, preset options). ``internvl3_smol`` is the pretrained SmolLM2-135M
#: language model (its first use converts the GGUF once; build_s then includes the conversion).
BACKBONES: dict[str, tuple[str, dict]] = {
    "internvl3": ("internvl3", {}),
    "qwen2_5_vl": ("qwen2_5_vl", {}),
    "clip_align": ("clip_align", {}),
    "internvl3_smol": ("internvl3", {"preset": "smol"}),
}


def measure(name: str, frames: int, size: int, batch: int, steps: int, device: str) -> dict:
    """Build the row ``name`` (see ``BACKBONES``) and time ``steps`` training steps after one warm-up step."""
    import torch

    from skeletonllm.registry import get_registry
    from skeletonllm.tasks import TaskExample, TaskKind, label_line

    torch.manual_seed(0)
    build_start = time.perf_counter()
    registered, preset = BACKBONES[name]
    backbone = get_registry().create("backbone", registered, {**preset, "frames": frames, "image_size": size})
    backbone = backbone.to(device)
    build_s = time.perf_counter() - build_start
    params = [p for p in backbone.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    classes = ["drink water", "jump up", "salute", "hand waving"]
    examples = [
        TaskExample(TaskKind.MULTIPLE_CHOICE, label_line(c), c, candidates=classes)
        for c in (classes[i % len(classes)] for i in range(batch))
    ]
    clip = torch.rand(batch, frames, 3, size, size, device=device, requires_grad=True)

    def step() -> None:
        opt.zero_grad()
        backbone.loss(clip, examples).backward()
        opt.step()

    step()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
        peak_mib = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {
        "backbone": name,
        "device": device,
        "frames": frames,
        "image_size": size,
        "batch": batch,
        "params_total": sum(p.numel() for p in backbone.parameters()),
        "params_trained": sum(p.numel() for p in params),
        "build_s": round(build_s, 3),
        "step_s": round((time.perf_counter() - start) / steps, 4),
        "peak_mib": round(peak_mib, 1),
        "peak_kind": "cuda allocated" if device == "cuda" else "process RSS",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", nargs="+", default=list(BACKBONES), choices=list(BACKBONES))
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--image-size", type=int, default=56)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: the thread policy, docs/performance.md)"
    )
    parser.add_argument("--device", default="cuda" if _cuda() else "cpu")
    parser.add_argument("--json", action="store_true", help="print one JSON list instead of a table")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child mode: measure one backbone, print JSON
    args = parser.parse_args(argv)
    if args.one:
        configure_threads(args.threads)
        print(json.dumps(measure(args.one, args.frames, args.image_size, args.batch, args.steps, args.device)))
        return 0
    from skeletonllm.progress import progress

    args.threads = configure_threads(args.threads).count  # chosen once, the same in every child
    rows = []
    common = [f"--frames={args.frames}", f"--image-size={args.image_size}", f"--batch={args.batch}"]
    common += [f"--steps={args.steps}", f"--threads={args.threads}", f"--device={args.device}"]
    for name in progress(args.backbones, desc="backbones", unit="backbone"):
        done = subprocess.run(
            [sys.executable, __file__, "--one", name, *common], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            print(f"{name}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            return 1
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    head = f"{'backbone':<15} {'params':>12} {'trained':>11} {'build s':>8} {'step s':>8} {'peak MiB':>9}"
    print(
        f"one training step, {args.frames} frames of {args.image_size}px, batch {args.batch}, "
        f"{args.device} ({args.threads} threads); peak = {rows[0]['peak_kind']}"
    )
    print(head)
    for r in rows:
        print(
            f"{r['backbone']:<15} {r['params_total']:>12,} {r['params_trained']:>11,} {r['build_s']:>8.2f} "
            f"{r['step_s']:>8.3f} {r['peak_mib']:>9.0f}"
        )
    print(f"measured {len(rows)} backbones")
    return 0


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


if __name__ == "__main__":
    sys.exit(main())
