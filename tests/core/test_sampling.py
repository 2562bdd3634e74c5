"""A step's samples and draws follow (seed, stage, step) only, never the rank layout or earlier steps."""

from __future__ import annotations

from skeletonllm.sampling import global_batch, rank_share, sample_generator, step_seed


def test_each_epoch_visits_every_sample_once_and_steps_are_pure():
    n, size = 10, 4
    steps = [global_batch(7, 1, k, size, n) for k in range(5)]  # 20 draws: two epochs
    flat = [i for batch in steps for i in batch]
    assert sorted(flat[:10]) == list(range(10)) and sorted(flat[10:]) == list(range(10))
    assert global_batch(7, 1, 3, size, n) == steps[3]  # no state carried between calls
    assert global_batch(8, 1, 0, size, n) != steps[0] or global_batch(8, 1, 1, size, n) != steps[1]


def test_ranks_share_a_global_batch_by_position():
    picked = global_batch(0, 0, 0, 12, 30)
    one = rank_share(picked, rank=0, world_size=1, batch_size=6, grad_accum=2)
    two = [rank_share(picked, rank=r, world_size=2, batch_size=3, grad_accum=2) for r in range(2)]
    flat_one = sorted(pair for micro in one for pair in micro)
    flat_two = sorted(pair for share in two for micro in share for pair in micro)
    assert flat_one == flat_two == list(enumerate(picked))  # same samples at the same positions
    assert all(len(micro) == 3 for share in two for micro in share)


def test_seeds_differ_by_coordinate_and_repeat_exactly():
    assert step_seed(3, 1, 5, 0) == step_seed(3, 1, 5, 0) != step_seed(3, 1, 5, 1)
    assert 0 <= step_seed(-1, 0, 0, 0) < 2**63
    a, b = sample_generator(3, 1, 5, 2).random(4), sample_generator(3, 1, 5, 2).random(4)
    assert (a == b).all() and not (a == sample_generator(3, 1, 5, 3).random(4)).all()
