"""R-precision (R@1, R@3) and MM-Dist as HumanML3D's evaluation computes them.

The pairs are shuffled (seeded) and cut into batches of 32; the incomplete
last batch is dropped. In each batch, every motion ranks the 32 captions by
Euclidean distance; R@k is the share of motions whose own caption is among
the k nearest (chance: k/32). MM-Dist is the mean distance between each
motion and its own caption.

Ties are broken at random *in expectation*: when ``t`` other captions lie
exactly as far as the true one (identical texts, e.g. a model that always
says the same sentence), the true caption takes each of the ``t + 1`` tied
places with equal probability. A constant output therefore scores chance,
not a perfect R@1, which a "strictly nearer" or index-order rule would give.
"""

from __future__ import annotations

import numpy as np
import torch

from skeletonllm.errors import SkeletonLLMError

BATCH = 32


def retrieval_scores(
    motion: torch.Tensor, text: torch.Tensor, batch_size: int = BATCH, seed: int = 0, ks: tuple[int, ...] = (1, 3)
) -> dict[str, float]:
    """``{"r1", "r3", "mm_dist", "batches", "batch_size"}`` for matched rows of ``motion`` and ``text``."""
    if motion.shape != text.shape or motion.ndim != 2:
        raise SkeletonLLMError(
            f"expected matching (n, dim) embeddings, got {tuple(motion.shape)} and {tuple(text.shape)}"
        )
    n = motion.shape[0]
    if n < batch_size:
        raise SkeletonLLMError(
            f"R-precision uses batches of {batch_size} (one true caption among {batch_size - 1} others); "
            f"only {n} pairs were given"
        )
    order = torch.as_tensor(np.random.default_rng(seed).permutation(n))
    batches = n // batch_size
    hits = {k: 0.0 for k in ks}
    matched = []
    for b in range(batches):
        idx = order[b * batch_size : (b + 1) * batch_size]
        dist = torch.cdist(motion[idx].double(), text[idx].double())  # (32, 32)
        own = dist.diagonal()
        tol = 1e-9 * (1.0 + own.abs())[:, None]
        nearer = (dist < own[:, None] - tol).sum(dim=1)  # captions strictly nearer than the true one
        tied = (((dist - own[:, None]).abs() <= tol).sum(dim=1) - 1).clamp(min=0)  # others as near
        for k in ks:  # expected share of the tied places that fall within the top k
            hits[k] += float(((k - nearer).clamp(min=0).minimum(tied + 1) / (tied + 1)).sum())
        matched.append(own)
    counted = batches * batch_size
    out = {f"r{k}": hits[k] / counted for k in ks}
    out["mm_dist"] = float(torch.cat(matched).mean())
    out["batches"] = float(batches)
    out["batch_size"] = float(batch_size)
    return out


__all__ = ["BATCH", "retrieval_scores"]
