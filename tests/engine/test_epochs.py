"""Minibatches straight from (seed, run, step): each epoch a shuffle of every sample cut
into batches, the same batches however they are reached, spread evenly, and a late step
as cheap to draw as the first."""

from __future__ import annotations

import time

import numpy as np
import pytest

from gradtrail.epochs import Batches, EpochOrder


@pytest.mark.parametrize("n", [1, 2, 3, 7, 1000, 1_000_003])
def test_each_epoch_order_is_a_permutation_of_the_samples(n: int) -> None:
    for seed, run, epoch in [(0, 0, 0), (7, 3, 1), (2**32 - 1, 15, 19_999)]:
        order = EpochOrder.of(n, seed, run, epoch).at(np.arange(n))
        assert np.array_equal(np.sort(order), np.arange(n)), (n, seed, run, epoch)


@pytest.mark.parametrize(("n", "size"), [(10, 3), (200, 16), (7, 7), (5, 100), (10_000, 999)])
def test_each_epochs_batches_partition_the_data_the_last_one_smaller(n: int, size: int) -> None:
    batches = Batches(n, size, seed=1, run=2)
    per_epoch = -(-n // min(size, n))
    for epoch in range(3):
        drawn = [batches.indices(epoch * per_epoch + j) for j in range(per_epoch)]
        assert [b.size for b in drawn[:-1]] == [min(size, n)] * (per_epoch - 1)
        assert drawn[-1].size == n - (per_epoch - 1) * min(size, n)
        assert np.array_equal(np.sort(np.concatenate(drawn)), np.arange(n))


def test_batches_are_reproducible_and_differ_between_seeds_runs_and_epochs() -> None:
    first = Batches(1000, 10, seed=3, run=1)
    assert np.array_equal(first.indices(57), Batches(1000, 10, seed=3, run=1).indices(57))
    others = [Batches(1000, 10, seed=4, run=1).indices(57),
              Batches(1000, 10, seed=3, run=2).indices(57), first.indices(157)]  # fmt: skip
    assert all(not np.array_equal(first.indices(57), other) for other in others)


def test_every_sample_is_as_likely_at_every_position() -> None:
    """Pearson's chi-square over (position, sample) counts of many epochs: a uniform
    shuffle gives about its degrees of freedom; a far larger sum means a bias."""
    n, epochs = 12, 6000
    counts = np.zeros((n, n))
    for epoch in range(epochs):
        counts[np.arange(n), EpochOrder.of(n, 5, 0, epoch).at(np.arange(n))] += 1
    expected = epochs / n
    chi_square = float(((counts - expected) ** 2 / expected).sum())
    freedom = (n - 1) ** 2  # 121: its standard deviation is √(2·121) ≈ 15.6
    assert chi_square < freedom + 5 * (2 * freedom) ** 0.5


def test_the_first_batch_of_a_large_set_is_uniform_over_the_samples() -> None:
    """A million samples in 16 bins: the first batch of many epochs fills them evenly."""
    n, size, epochs, bins = 1_000_000, 1000, 64, 16
    counts = np.zeros(bins)
    for epoch in range(epochs):
        drawn = Batches(n, size, seed=9, run=0).indices(epoch * (n // size))
        counts += np.bincount(drawn * bins // n, minlength=bins)
    expected = size * epochs / bins
    chi_square = float(((counts - expected) ** 2 / expected).sum())
    assert chi_square < (bins - 1) + 5 * (2 * (bins - 1)) ** 0.5


def test_step_19999_of_a_million_points_costs_what_step_0_costs() -> None:
    """No replay: a late step's batch comes straight from its epoch's order, so it takes
    about as long as the first one (measured here, in the same test)."""
    batches = Batches(1_000_000, 100_000, seed=0, run=0)  # step 19,999: epoch 1,999

    def seconds(step: int) -> float:
        best = float("inf")
        for _ in range(5):
            began = time.perf_counter()
            batches.indices(step)
            best = min(best, time.perf_counter() - began)
        return best

    first, late = seconds(0), seconds(19_999)
    assert late < 3 * first
