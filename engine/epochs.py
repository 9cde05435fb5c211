r"""Which samples each minibatch takes, drawn straight from ``(seed, run, step)``.

Epochs as they are taught, and as ``DataLoader(shuffle=True, drop_last=False)`` draws
them: each epoch is a fresh shuffle of the ``n`` samples, cut in order into batches of
``size`` without replacement, the last one smaller when ``size`` does not divide ``n``.
With :math:`B = \lceil n / size \rceil` batches per epoch, step ``k`` takes positions
``[j·size, min((j+1)·size, n))`` of epoch ``k div B``'s order, ``j = k mod B``.

Design: the epoch's order is a keyed pseudo-random permutation evaluated *only at those
positions*, so a step's batch costs O(size + √n) whatever the step: the data view and
backprop reproduce step 19,999 as fast as step 0, where replaying the shuffles before it
cost up to 20,000 shuffles of a million points. (A ``Generator.permutation`` per epoch,
keyed the same way, would need no replay either, but costs O(n) for every batch: a
million samples for a one-point batch.)

The permutation is a Feistel network over the :math:`b = \max(2, \lceil\log_2 n\rceil)`
bits of a position, split into a high half ``L`` of ``⌊b/2⌋`` bits and a low half ``R``
of ``⌈b/2⌉``. Each of :data:`ROUNDS` rounds maps :math:`(L, R) \mapsto (R, L \oplus
F_i(R))` (the halves' widths swap, and are back after an even number of rounds); a round
is invertible whatever :math:`F_i`, so the network permutes :math:`[0, 2^b)`. Each
:math:`F_i` is a table of :math:`2^{|R|}` random numbers, a truly random round function
(the case in which Luby and Rackoff proved the network indistinguishable from a random
permutation), read from numpy's counter-based Philox keyed by ``(seed, run)`` with the
epoch in its counter: any epoch's tables come at once, without drawing the ones before.
A position the network sends past ``n`` is sent through again until it lands inside
(cycle-walking, Black and Rogaway 2002), which keeps it a permutation of :math:`[0, n)`;
since :math:`2^b < 2n`, that takes fewer than two passes on average. Everything is
vectorised over the batch's positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ROUNDS = 8  # even, so the halves end as they began; 4 already suffice in theory
BLOCK = 4096  # positions a run's sampler orders at once: numpy's per-call cost, amortised


@dataclass(frozen=True)
class EpochOrder:
    """One epoch's shuffle of ``range(n)``: :meth:`at` says which sample sits at a position."""

    n: int
    low_bits: int
    tables: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, n: int, seed: int, run: int, epoch: int) -> EpochOrder:
        """The order of epoch ``epoch`` of run ``run`` under ``seed`` (O(√n) to make)."""
        bits = max(2, (n - 1).bit_length())
        high, low = bits // 2, bits - bits // 2
        widths = [(low, high) if i % 2 == 0 else (high, low) for i in range(ROUNDS)]
        philox = np.random.Philox(key=[seed, run], counter=[0, epoch, 0, 0])
        raw = philox.random_raw(sum(1 << width_in for width_in, _ in widths))
        tables, begin = [], 0
        for width_in, width_out in widths:  # the top bits of each raw word: uniform
            words = raw[begin : begin + (1 << width_in)]
            tables.append((words >> np.uint64(64 - width_out)).astype(np.intp))
            begin += 1 << width_in
        return cls(n, low, tuple(tables))

    def network(self, positions: np.ndarray) -> np.ndarray:
        """The Feistel permutation of ``[0, 2^b)`` at ``positions``."""
        low_mask = (1 << self.low_bits) - 1
        left, right = positions >> self.low_bits, positions & low_mask
        for table in self.tables:
            left, right = right, left ^ table[right]
        return (left << self.low_bits) | right

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The samples at ``positions`` (each in ``[0, n)``) of this epoch's order."""
        out = self.network(np.asarray(positions, dtype=np.intp))
        outside = np.flatnonzero(out >= self.n)
        while outside.size:  # cycle-walking: ends, since the start itself is inside
            out[outside] = self.network(out[outside])
            outside = outside[out[outside] >= self.n]
        return out


@dataclass(frozen=True)
class Batches:
    """The minibatches of run ``run`` under ``seed``: batches of ``size`` (at most ``n``)
    of ``n`` samples, epoch after epoch."""

    n: int
    size: int
    seed: int
    run: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", min(self.size, self.n))

    @property
    def per_epoch(self) -> int:
        """Batches in an epoch, the last one possibly smaller."""
        return -(-self.n // self.size)

    def span(self, step: int) -> tuple[int, int, int]:
        """The epoch of step ``step`` and the positions ``[start, stop)`` its batch takes."""
        epoch, j = divmod(step, self.per_epoch)
        return epoch, j * self.size, min((j + 1) * self.size, self.n)

    def order(self, epoch: int) -> EpochOrder:
        """Epoch ``epoch``'s shuffle."""
        return EpochOrder.of(self.n, self.seed, self.run, epoch)

    def indices(self, step: int) -> np.ndarray:
        """The samples step ``step`` takes, in O(batch + √n) whatever the step."""
        epoch, start, stop = self.span(step)
        return self.order(epoch).at(np.arange(start, stop))

    def draws(self) -> Draws:
        """The batches one step after another, from step 0 (a run's sampler)."""
        return Draws(self)


@dataclass
class Draws:
    """:class:`Batches` step after step, as a run draws them: the same indices as
    :meth:`Batches.indices`, with the epoch's order evaluated up to :data:`BLOCK`
    positions ahead so a one-sample batch does not pay a dozen numpy calls per step (at
    most that many kept between steps)."""

    batches: Batches
    step: int = 0
    epoch: int = -1
    order: EpochOrder | None = None
    ahead: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    ahead_start: int = 0

    def next(self) -> np.ndarray:
        """The indices of the next minibatch."""
        epoch, start, stop = self.batches.span(self.step)
        self.step += 1
        if epoch != self.epoch or self.order is None:
            self.epoch, self.order = epoch, self.batches.order(epoch)
            self.ahead, self.ahead_start = self.ahead[:0], start
        if stop - start >= BLOCK:  # a large batch is ordered alone and not kept: a sweep
            return self.order.at(np.arange(start, stop))  # holds many samplers at once
        if stop > self.ahead_start + self.ahead.size:
            end = min(self.batches.n, start + BLOCK)
            self.ahead, self.ahead_start = self.order.at(np.arange(start, end)), start
        return self.ahead[start - self.ahead_start : stop - self.ahead_start]
