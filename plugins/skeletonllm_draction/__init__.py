"""DrAction: differentiable Gaussian-splatting renderer for any skeleton topology."""

from .options import DrActionOptions
from .renderer import DrActionRenderer

__all__ = ["DrActionOptions", "DrActionRenderer"]
