"""Kept so ``from skeletonllm.cli.progress import progress`` still works; the function lives in the core."""

from ..progress import progress

__all__ = ["progress"]
