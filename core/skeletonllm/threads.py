"""How many CPU threads torch uses: chosen on purpose, never left to torch's default.

Torch's default is one thread per physical core. On a machine that is busy
with anything else (a laptop, a shared server, CI) its OpenMP threads spin
waiting for cores the other processes hold, and a step runs many times
slower than with fewer threads (30x measured on a 2-core machine with one
competing process; docs/performance.md, "Threads"). So the count comes from,
in order:

1. an explicit request (the CLI's ``--threads``, a benchmark's ``--threads``);
2. ``SKELETONLLM_THREADS``;
3. ``OMP_NUM_THREADS`` (the standard knob; torchrun sets it to 1 per worker);
4. the default rule: the cores this process may use (CPU affinity, cgroup
   quota, divided among torchrun's local workers) capped by the cores that
   are free now (the fewer of: idle share of the CPU time over a tenth of
   a second, and machine cores minus the 1-minute load average; rounded), at
   least one.

The rule is evaluated once, when a command starts. It never asks for more
threads than there are idle cores, because an oversubscribed OpenMP pool
collapses while an undersubscribed one only loses the unused cores.
Nothing here imports torch at module level, so the CLI can apply the
choice before torch is imported (through the environment) or after (through
``torch.set_num_threads``).
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import SkeletonLLMError

ENV = "SKELETONLLM_THREADS"
_OMP_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class ThreadChoice:
    """A thread count and why it was chosen (printed by commands)."""

    count: int
    reason: str

    def describe(self) -> str:
        return f"threads: {self.count} ({self.reason})"


def usable_cores() -> int:
    """Cores this process may run on: CPU affinity, a cgroup v2 quota, and torchrun's local workers."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    local_workers = int(os.environ.get("LOCAL_WORLD_SIZE", "1") or 1)
    return max(1, cores // max(1, local_workers))


def _cgroup_quota(path: Path = Path("/sys/fs/cgroup/cpu.max")) -> float | None:
    """CPUs granted by a cgroup v2 quota (``"200000 100000"`` is 2), or None when unlimited/unknown."""
    try:
        quota, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return int(quota) / int(period)


def idle_cores(window: float = 0.1, stat: Path = Path("/proc/stat")) -> float | None:
    """Cores idle right now: the idle share of all CPU time over ``window`` seconds (Linux only)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in stat.read_text().splitlines()[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total (jiffies)

    try:
        idle0, total0 = sample()
        time.sleep(window)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    if total1 <= total0:
        return None
    return (os.cpu_count() or 1) * (idle1 - idle0) / (total1 - total0)


def load_free_cores() -> float | None:
    """Machine cores minus the 1-minute load average (None where the OS has no load average)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return None
    return (os.cpu_count() or 1) - load


def free_cores() -> float | None:
    """Free cores by the more pessimistic of two signals.

    The idle share of the last tenth of a second sees a competitor that started a
    moment ago (the load average needs a minute to rise); the load average sees
    bursty competitors that the short sample may catch between bursts.
    """
    signals = [x for x in (idle_cores(), load_free_cores()) if x is not None]
    return min(signals) if signals else None


def default_rule(usable: int, free: float | None) -> int:
    """The default count: ``usable`` capped by the free cores (rounded), at least one."""
    if free is None:
        return usable
    return max(1, min(usable, round(free)))


def choose_threads(requested: int | None = None, environ: dict[str, str] | None = None) -> ThreadChoice:
    """Apply the order above; a malformed variable is an error naming it, not a silent default."""
    environ = os.environ if environ is None else environ
    if requested is not None:
        if requested < 1:
            raise SkeletonLLMError(f"--threads must be at least 1, got {requested}")
        return ThreadChoice(requested, "--threads")
    for name in (ENV, "OMP_NUM_THREADS"):
        value = environ.get(name, "").strip()
        if value:
            try:
                count = int(value)
            except ValueError:
                count = 0
            if count < 1:
                raise SkeletonLLMError(f"{name}={value!r}: expected a whole number of threads, at least 1")
            return ThreadChoice(count, name)
    usable, free = usable_cores(), free_cores()
    count = default_rule(usable, free)
    load = describe_free(free, os.cpu_count() or 1)
    return ThreadChoice(count, f"default rule: {usable} usable cores, {load}; set --threads or {ENV} to override")


def describe_free(free: float | None, cores: int) -> str:
    """``1.2 of 2 cores free``; never a negative count: a load above the core count is said in words."""
    if free is None:
        return "free cores unknown"
    if free < 0.05:
        above = f": load average {cores - free:.1f} is above the core count" if free < 0 else ""
        return f"no core of {cores} free{above}"
    return f"{free:.1f} of {cores} cores free"


def apply_threads(choice: ThreadChoice) -> ThreadChoice:
    """Make torch use ``choice.count`` threads, whether or not torch is imported yet."""
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(choice.count)
    else:  # read by torch's OpenMP/MKL when it is imported (and inherited by child processes)
        for name in _OMP_VARS:
            os.environ[name] = str(choice.count)
    return choice


def configure_threads(requested: int | None = None) -> ThreadChoice:
    """Choose and apply in one call (what commands and benchmarks use)."""
    return apply_threads(choose_threads(requested))
