"""Specs shipped with the package (the CPU demo), so an installed SkeletonLLM can run them.

``docs/specs/`` holds the larger example experiments; these live here because
``skeletonllm demo`` needs one without a source checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_spec(name: str) -> Path:
    """Path of the bundled spec ``name`` (with or without ``.yaml``)."""
    from ..errors import SpecError

    filename = name if name.endswith(".yaml") else f"{name}.yaml"
    path = Path(str(resources.files(__name__).joinpath(filename)))
    if not path.is_file():
        available = ", ".join(bundled_specs()) or "none"
        raise SpecError([f"no bundled spec {name!r}; bundled: {available}"])
    return path


def bundled_specs() -> list[str]:
    """Names of the bundled specs."""
    return sorted(p.name[: -len(".yaml")] for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml"))
