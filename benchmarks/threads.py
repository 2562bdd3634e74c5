"""Training-step speed under the default thread rule, one thread and all cores; idle and busy.

Each (condition, thread setting) runs in its own subprocess, so every
OpenMP pool starts fresh and the rule is evaluated as a command would
evaluate it (at start-up, with nothing forced through the environment).
"busy" starts ``--competitors`` busy-loop processes (pure Python spinning
on one core each) and waits ``--settle`` seconds before the child starts;
they are stopped after. The workload is the CPU demo's refine stage
(core/skeletonllm/specs/demo_tiny_qwen.yaml: DrAction renders 4 frames of 56 px, the
tiny Qwen2.5-VL trains vision, projector, LLM and LoRA, batch 16) run by
the real trainer; the first step is a warm-up and not timed.

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
import tempfile
import time
from pathlib import Path

SETTINGS = ("rule", "1", "all")
DEMO_SPEC = Path(__file__).resolve().parents[1] / "core" / "skeletonllm" / "specs" / "demo_tiny_qwen.yaml"
SPIN = "while True: pass"


def measure(setting: str, steps: int) -> dict:
    """Choose threads per ``setting`` before torch is imported, then time ``steps`` training steps."""
    from skeletonllm.threads import configure_threads

    if setting == "rule":
        choice = configure_threads(None)
    else:
        choice = configure_threads((os.cpu_count() or 1) if setting == "all" else int(setting))
    import torch
    import yaml

    from skeletonllm.pipeline import Pipeline
    from skeletonllm.spec import validate_spec

    data = yaml.safe_load(DEMO_SPEC.read_text(encoding="utf-8"))
    refine = next(s for s in data["stages"] if s["name"] == "refine")
    with tempfile.TemporaryDirectory() as out:
        data.update(stages=[{**refine, "max_steps": steps + 1}], output_dir=out)
        data["optim"]["save_every"] = steps + 10  # no checkpoint inside the timed steps
        trainer = _timed_trainer()(Pipeline(validate_spec(data)), show_progress=False)
        trainer.fit(resume=False)
    times = trainer.times[1:]  # the first step warms up
    return {
        "setting": setting,
        "threads": torch.get_num_threads(),
        "reason": choice.reason,
        "step_s": round(statistics.median(times), 4),
        "step_s_max": round(max(times), 4),
    }


class _Timed:
    """Mixin recording the wall time of every optimiser step."""

    times: list[float]

    def _optimizer_step(self, *args, **kwargs):
        start = time.perf_counter()
        value = super()._optimizer_step(*args, **kwargs)
        self.times.append(time.perf_counter() - start)
        return value


def _timed_trainer():
    from skeletonllm.training import Trainer

    class TimedTrainer(_Timed, Trainer):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.times = []

    return TimedTrainer


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
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print one JSON list instead of a table")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child mode: one setting, print JSON
    args = parser.parse_args(argv)
    common = [f"--steps={args.steps}"]
    if args.one:
        print(json.dumps(measure(args.one, args.steps)))
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
        f"one refine step of the CPU demo (core/skeletonllm/specs/demo_tiny_qwen.yaml); median of {args.steps} steps; "
        f"{os.cpu_count()} CPU cores; competitors in the busy condition: {args.competitors}"
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
