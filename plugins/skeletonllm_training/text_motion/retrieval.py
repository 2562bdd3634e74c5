"""R-precision (R@1, R@3) and MM-Dist as HumanML3D's evaluation computes them.

The pairs are shuffled (seeded) and cut into batches of 32; the incomplete
last batch is dropped. In each batch, every motion ranks the 32 captions by
Euclidean distance; R@k is the share of motions whose own caption is among
the k nearest (chance: k/32). MM-Dist is the mean distance between each
motion and its own caption. Ties are broken at random, in expectation: a true
caption tied with t others, behind s strictly nearer ones, is among the k
nearest with probability clamp((k - s) / (t + 1), 0, 1). So identical captions
(a constant caption, a model that always says the same thing) score chance,
not a perfect R@1, as they would if ties counted for the true caption.
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
    for what, emb in (("motion", motion), ("text", text)):
        if not bool(torch.isfinite(emb).all()):  # NaN distances would compare as neither nearer nor tied: hits
            raise SkeletonLLMError(
                f"{what} embeddings hold NaN or infinite values (a diverged evaluator?); refusing to score them"
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
        nearer = (dist < own[:, None]).sum(dim=1).double()  # captions strictly nearer than the true one
        tied = (dist == own[:, None]).sum(dim=1).double() - 1  # others at exactly the true caption's distance
        for k in ks:
            hits[k] += float(((k - nearer) / (tied + 1)).clamp(0, 1).sum())
        matched.append(own)
    counted = batches * batch_size
    out = {f"r{k}": hits[k] / counted for k in ks}
    out["mm_dist"] = float(torch.cat(matched).mean())
    out["batches"] = float(batches)
    out["batch_size"] = float(batch_size)
    return out


__all__ = ["BATCH", "retrieval_scores"]
