"""Which samples and which random draws optimiser step k uses: pure functions of the spec's seed.

Exact resume and rank-independent results both rest on this: the global
batch of step k of stage s depends only on ``(seed, s, epoch)``, each
sample's draws (frame offsets, prompt choices) only on ``(seed, s, k,
position of the sample in the global batch)``, and torch's generator
(dropout) is re-seeded from ``(seed, s, k, rank)``. Nothing depends on how
many steps ran before in this process, so a resumed run replays exactly, and
N ranks with batch b draw what one process with batch N*b draws.
"""

from __future__ import annotations

import numpy as np


def _words(coordinates: tuple[int, ...]) -> list[int]:
    return [int(c) & 0xFFFFFFFF for c in coordinates]  # numpy seeds take non-negative 32-bit words


def step_seed(*coordinates: int) -> int:
    """A 63-bit seed for torch's generator from integer coordinates (seed, stage, step, rank)."""
    return int(np.random.SeedSequence(_words(coordinates)).generate_state(1, np.uint64)[0]) >> 1


def sample_generator(seed: int, stage_index: int, step: int, position: int) -> np.random.Generator:
    """The generator of the sample at ``position`` in step ``step``'s global batch."""
    return np.random.default_rng(_words((seed, stage_index, step, position)))


def global_batch(seed: int, stage_index: int, step: int, size: int, num_samples: int) -> list[int]:
    """Indices of the ``size`` samples of step ``step``: consecutive slices of per-epoch permutations."""
    start = step * size
    picked: list[int] = []
    while len(picked) < size:
        epoch, offset = divmod(start + len(picked), num_samples)
        order = np.random.default_rng(_words((seed, stage_index, epoch))).permutation(num_samples)
        picked += order[offset : offset + size - len(picked)].tolist()
    return picked


def rank_share(picked: list[int], rank: int, world_size: int, batch_size: int, grad_accum: int):
    """This rank's ``(position, index)`` pairs of a global batch, as ``grad_accum`` micro-batches.

    Rank r takes every world_size-th position, so the positions (and with them
    the per-sample draws) do not depend on how many ranks there are.
    """
    mine = list(enumerate(picked))[rank::world_size]
    return [mine[k * batch_size : (k + 1) * batch_size] for k in range(grad_accum)]
