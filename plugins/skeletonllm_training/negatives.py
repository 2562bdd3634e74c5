"""Hard-negative class mining for Disc-FT.

Disc-FT asks YES/NO about pairs of classes a model is likely to confuse.
Two sources of "likely to confuse": a confusion matrix from an earlier
evaluation (the paper's choice when one exists), or, before any model has
been evaluated, similarity of the class *names* (character-trigram TF-IDF
cosine), which already pairs "take off a shoe" with "wear a shoe". Mining
only ever looks at seen classes, so no unseen class name reaches a
training prompt.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from skeletonllm.errors import SkeletonLLMError


def _trigrams(text: str) -> Counter[str]:
    padded = f"  {text.lower()}  "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def name_similarity(class_names: list[str]) -> np.ndarray:
    """``(C, C)`` cosine similarity of TF-IDF weighted character trigrams."""
    grams = [_trigrams(n) for n in class_names]
    df = Counter(g for c in grams for g in c)
    n = len(class_names)
    vocab = {g: i for i, g in enumerate(sorted(df))}
    mat = np.zeros((n, len(vocab)), np.float64)
    for row, counts in enumerate(grams):
        for g, c in counts.items():
            mat[row, vocab[g]] = c * math.log((1 + n) / (1 + df[g]))
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    mat = mat / np.maximum(norms, 1e-12)
    return mat @ mat.T


def mine_hard_negatives(similarity: np.ndarray, seen: list[int], top_k: int) -> dict[int, list[int]]:
    """For each seen class, its ``top_k`` most similar *other seen* classes (most similar first)."""
    seen = sorted(set(seen))
    if len(seen) < 2:
        raise SkeletonLLMError(f"Disc-FT needs at least two seen classes to form pairs, got {len(seen)}")
    if similarity.shape[0] != similarity.shape[1] or max(seen) >= similarity.shape[0]:
        raise SkeletonLLMError(f"similarity matrix {similarity.shape} does not cover class ids up to {max(seen)}")
    idx = np.array(seen)
    out: dict[int, list[int]] = {}
    for c in seen:
        scores = similarity[c, idx].astype(np.float64).copy()
        scores[idx == c] = -np.inf
        order = np.argsort(-scores, kind="stable")[: min(top_k, len(seen) - 1)]
        out[c] = [int(idx[o]) for o in order]
    return out


def confusion_similarity(confusion: np.ndarray) -> np.ndarray:
    """Symmetrised, row-normalised off-diagonal confusion: how often a and b are mistaken for each other."""
    conf = np.asarray(confusion, np.float64)
    if conf.ndim != 2 or conf.shape[0] != conf.shape[1]:
        raise SkeletonLLMError(f"a confusion matrix must be square, got shape {conf.shape}")
    rates = conf / np.maximum(conf.sum(axis=1, keepdims=True), 1e-12)
    np.fill_diagonal(rates, 0.0)
    return rates + rates.T
