"""Turn a ``--device`` string into a device that exists here, or one clear error.

``torch.device("banana")`` raises a RuntimeError with torch's own wording,
``torch.device("tpu")`` another, and ``cuda:7`` on a one-GPU machine is only
discovered when the first tensor moves. All three are user input, so they
are checked up front against what this machine has.
"""

from __future__ import annotations

import torch

from .errors import SkeletonLLMError


def available_devices() -> list[str]:
    """Device names usable here: cpu, each cuda index, mps when present."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += ["cuda"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return names


def check_device(name: str) -> torch.device:
    """``torch.device(name)`` when this machine has it; otherwise a SkeletonLLMError listing what it has."""
    have = available_devices()
    hint = f"available here: {', '.join(have)} (or auto)"
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError, TypeError):
        raise SkeletonLLMError(f"--device {name!r} is not a device name; {hint}") from None
    if device.type == "cpu":
        return device
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise SkeletonLLMError(f"--device {name!r}: no CUDA GPU on this machine; {hint}")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise SkeletonLLMError(
                f"--device {name!r}: this machine has {torch.cuda.device_count()} CUDA GPU(s); {hint}"
            )
        return device
    if device.type == "mps" and "mps" in have:
        return device
    raise SkeletonLLMError(f"--device {name!r} is not available on this machine; {hint}")
