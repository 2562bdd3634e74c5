"""DrAction: differentiable Gaussian-splatting renderer for any skeleton topology."""

# Resolved on first access, so importing the entry point (``skeletonllm_draction.plugin``)
# does not import torch.
from importlib import import_module
from typing import Any

_WHERE = {"DrActionOptions": "options", "DrActionRenderer": "renderer"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DrActionOptions", "DrActionRenderer"]
