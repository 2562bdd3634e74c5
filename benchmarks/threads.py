"""Training-step speed under the default thread rule, one thread and all cores; idle and busy.

Each (condition, thread setting) runs in its own subprocess, so every
OpenMP pool starts fresh and the rule is evaluated as a command would
evaluate it (at start-up, with nothing forced through the environment).
"busy" starts ``--competitors`` busy-loop processes (pure Python spinning
on one core each) and waits ``--settle`` seconds before the child starts;
they are stopped after. The workload is one optimiser step of the tiny
InternVL3 preset (forward + backward + AdamW), the first step untimed.

    python benchmarks/threads.py                       # table
    python benchmarks/threads.py --competitors 2 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SETTINGS = ("rule", "1", "all")
SPIN = "while True: pass"


def measure(setting: str, frames: int, size: int, batch: int, steps: int) -> dict:
    """Choose threads per ``setting`` before torch is imported, then time ``steps`` training steps."""
    from skeletonllm.threads import ThreadChoice, configure_threads

    if setting == "rule":
        choice = configure_threads(None)
    else:
        count = (os.cpu_count() or 1) if setting == "all" else int(setting)
        choice = configure_threads(count)
    import torch

    from skeletonllm.registry import get_registry
    from skeletonllm_hf.prompts import label_answer, mqa_prompt

    torch.manual_seed(0)
    backbone = get_registry().create("backbone", "internvl3", {"frames": frames, "image_size": size})
    params = [p for p in backbone.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    classes = ["drink water", "jump up", "salute", "hand waving"]
    prompts = [mqa_prompt(classes)] * batch
    targets = [label_answer(classes[i % len(classes)]) for i in range(batch)]
    clip = torch.rand(batch, frames, 3, size, size, requires_grad=True)

    def step() -> float:
        start = time.perf_counter()
        opt.zero_grad()
        backbone.loss(clip, prompts, targets).backward()
        opt.step()
        return time.perf_counter() - start

    step()
    times = [step() for _ in range(steps)]
    assert isinstance(choice, ThreadChoice)
    return {
        "setting": setting,
        "threads": torch.get_num_threads(),
        "reason": choice.reason,
        "step_s": round(statistics.median(times), 4),
        "step_s_max": round(max(times), 4),
    }


def run_child(setting: str, common: list[str]) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "SKELETONLLM_THREADS")
    }
    done = subprocess.run(
        [sys.executable, __file__, "--one", setting, *common], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{setting}: failed\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), help="rule, all, or a thread count")
    parser.add_argument("--conditions", nargs="+", default=["idle", "busy"], choices=["idle", "busy"])
    parser.add_argument("--competitors", type=int, default=1, help="busy-loop processes in the busy condition")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds between starting competitors and measuring")
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--image-size", type=int, default=56)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON list instead of a table")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child mode: one setting, print JSON
    args = parser.parse_args(argv)
    common = [f"--frames={args.frames}", f"--image-size={args.image_size}", f"--batch={args.batch}"]
    common += [f"--steps={args.steps}"]
    if args.one:
        print(json.dumps(measure(args.one, args.frames, args.image_size, args.batch, args.steps)))
        return 0
    rows = []
    for condition in args.conditions:
        competitors = []
        if condition == "busy":
            competitors = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(args.competitors)]
            time.sleep(args.settle)
        try:
            for setting in args.settings:
                load = os.getloadavg()[0]
                row = run_child(setting, common)
                rows.append({"condition": condition, "competitors": len(competitors), "load_before": load, **row})
                print(f"{condition} {setting}: {row['threads']} threads, {row['step_s']:.3f} s/step", file=sys.stderr)
        finally:
            for proc in competitors:
                proc.kill()
                proc.wait()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(
        f"one training step of the tiny internvl3 preset, {args.frames} frames of {args.image_size}px, "
        f"batch {args.batch}; median of {args.steps} steps; {os.cpu_count()} CPU cores"
    )
    print(f"{'condition':<10} {'setting':<8} {'threads':>7} {'load':>6} {'s/step':>8} {'max s':>8}  rule's reason")
    for r in rows:
        reason = r["reason"] if r["setting"] == "rule" else ""
        print(
            f"{r['condition']:<10} {r['setting']:<8} {r['threads']:>7} {r['load_before']:>6.1f} "
            f"{r['step_s']:>8.3f} {r['step_s_max']:>8.3f}  {reason}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
