r"""A small multi-layer network, all its parameters one vector: the model, its exact gradient.

The network is ``nn.Sequential(Linear, φ, Linear, φ, …, Linear)`` with layer sizes
``layers = [d, h₁, …, 1]``: with :math:`a_0 = x`,

.. math::
    z_l = W_l a_{l-1} + b_l, \qquad a_l = φ(z_l) \ (l < L), \qquad \hat y = z_L,

and the loss is the mean of ``mse`` :math:`(\hat y - t)^2` (torch's ``MSELoss``) or of the
cross-entropy of the logit :math:`\hat y` (torch's ``BCEWithLogitsLoss``), per sample as
:mod:`gradtrail.chain` writes them. The parameters are one vector in torch's order for
that ``nn.Sequential``: each layer's weight (out × in, row-major), then its bias.

The backward pass is the textbook one, every sample at once: the output's error signal
:math:`δ_L = \partial L / \partial \hat y` (the mean's :math:`1/n` included), then for
each layer from the last

.. math::
    \frac{\partial L}{\partial W_l} = δ_l^\top a_{l-1}, \qquad
    \frac{\partial L}{\partial b_l} = \textstyle\sum_i δ_{l,i}, \qquad
    δ_{l-1} = (δ_l W_l) \odot φ'(z_{l-1}).

The initial vector is drawn as torch's ``nn.Linear`` draws it by default (Kaiming-uniform
with :math:`a = \sqrt5` for the weight and the same bound for the bias: uniform in
:math:`\pm 1/\sqrt{\text{fan\_in}}`), from numpy's generator seeded with ``init_seed``,
layer by layer, weight then bias.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from gradtrail.chain import Activation, hidden, loss_value, sigmoid_pair
from gradtrail.epochs import Batches
from gradtrail.neuron import GRID_BLOCK, Loss


@dataclass(frozen=True)
class Layout:
    """Where each layer's weight and bias sit in the parameter vector."""

    layers: tuple[int, ...]

    @cached_property
    def shapes(self) -> tuple[tuple[int, int], ...]:
        """Each layer's weight shape, ``(out, in)``."""
        return tuple(zip(self.layers[1:], self.layers[:-1], strict=True))

    @cached_property
    def offsets(self) -> tuple[tuple[int, int, int], ...]:
        """Per layer: where its weight begins, where its bias begins, where it ends."""
        found, begin = [], 0
        for out, into in self.shapes:
            found.append((begin, begin + out * into, begin + out * into + out))
            begin += out * into + out
        return tuple(found)

    @property
    def count(self) -> int:
        """The number of parameters."""
        return self.offsets[-1][2]

    def unpack(self, vectors: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views of each layer's ``(W, b)`` in a vector ``(P,)`` or a stack ``(K, P)``:
        ``W`` of shape ``(…, out, in)``, ``b`` of ``(…, out)``."""
        lead = vectors.shape[:-1]
        return [
            (vectors[..., w:b].reshape(*lead, out, into), vectors[..., b:end])
            for (out, into), (w, b, end) in zip(self.shapes, self.offsets, strict=True)
        ]

    def filters(self) -> list[slice]:
        """Each weight row's slice (one output unit's incoming weights: a "filter" in Li et
        al.'s sense)."""
        rows = []
        for (out, into), (w, _, _) in zip(self.shapes, self.offsets, strict=True):
            rows.extend(slice(w + r * into, w + (r + 1) * into) for r in range(out))
        return rows

    def biases(self) -> list[slice]:
        """Each layer's bias slice."""
        return [slice(b, end) for _, b, end in self.offsets]

    def initial(self, seed: int) -> np.ndarray:
        """torch's default ``nn.Linear`` initialisation, uniform ``±1/√fan_in``, drawn with
        numpy's generator from ``seed``: each layer's weight (row-major), then its bias."""
        rng = np.random.default_rng(seed)
        parts = []
        for out, into in self.shapes:
            bound = 1.0 / np.sqrt(into)
            parts.append(rng.uniform(-bound, bound, out * into))
            parts.append(rng.uniform(-bound, bound, out))
        return np.concatenate(parts)


@dataclass(frozen=True)
class Network:
    """A network of ``layout`` fitted to inputs ``x`` ``(n, d)`` and targets ``t`` ``(n,)``."""

    layout: Layout
    activation: Activation
    loss: Loss
    x: np.ndarray
    t: np.ndarray

    def forward(self, p: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The output ``ŷ`` ``(n,)`` and every layer's activation ``a_l`` (``a_0 = x``) at
        one vector."""
        a, outputs = self.x, [self.x]
        layers = self.layout.unpack(p)
        last = len(layers) - 1
        for index, (weight, bias) in enumerate(layers):
            a = a @ weight.T + bias
            if index < last:
                a = hidden(a, self.activation)
                outputs.append(a)
        return a[:, 0], outputs

    def output(self, p: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
        """``ŷ`` at inputs ``x`` (the data's by default): the logit under cross-entropy."""
        if x is None:
            return self.forward(p)[0]
        return replace(self, x=np.asarray(x, np.float64)).forward(p)[0]

    def both(self, p: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and its gradient ``(P,)`` at the vector ``p``."""
        with np.errstate(all="ignore"):
            y_hat, outputs = self.forward(p)
            value, delta = loss_and_signal(y_hat, self.t, self.loss)
            delta = delta[:, None]
            gradient = np.empty(self.layout.count)
            layers = self.layout.unpack(p)
            for index in range(len(layers) - 1, -1, -1):
                w, b, end = self.layout.offsets[index]
                gradient[w:b] = (delta.T @ outputs[index]).ravel()
                gradient[b:end] = delta.sum(axis=0)
                if index > 0:
                    delta = (delta @ layers[index][0]) * slope(outputs[index], self.activation)
            return value, gradient

    def values(self, vectors: np.ndarray) -> np.ndarray:
        """The loss at each row of ``vectors`` ``(K, P)``, in blocks of bounded memory
        (a contour's grid of parameter vectors)."""
        widest = max(self.layout.layers)
        rows = max(1, GRID_BLOCK // (self.t.size * widest))
        found = np.empty(vectors.shape[0])
        for first in range(0, vectors.shape[0], rows):
            block = vectors[first : first + rows]
            a = np.broadcast_to(self.x, (block.shape[0], *self.x.shape))
            layers = self.layout.unpack(block)
            with np.errstate(all="ignore"):
                for index, (weight, bias) in enumerate(layers):
                    a = a @ np.swapaxes(weight, -1, -2) + bias[:, None, :]
                    if index < len(layers) - 1:
                        a = hidden(a, self.activation)
                found[first : first + rows] = loss_value(a[..., 0], self.t, self.loss).mean(axis=1)
        return found

    def minibatches(self, batches: Batches) -> NetworkSampler:
        """Gradients over ``batches``, drawn as every data kind draws them."""
        return NetworkSampler(self, batches)


def slope(a: np.ndarray, activation: Activation) -> np.ndarray:
    """``φ′(z)`` from the activation ``a = φ(z)``, as torch's backward computes it: tanh
    ``1 − a²``, sigmoid ``(1 − a) a``, ReLU 1 where ``a > 0`` (0 at ``z = 0``)."""
    if activation == "tanh":
        return 1.0 - a * a
    if activation == "sigmoid":
        return (1.0 - a) * a
    return (a > 0.0).astype(np.float64)


def loss_and_signal(y_hat: np.ndarray, t: np.ndarray, loss: Loss) -> tuple[float, np.ndarray]:
    """The mean loss and the output's error signal ``δ_L = ∂L/∂ŷ`` (the ``1/n`` in it)."""
    share = 1.0 / t.size
    if loss == "mse":
        residual = y_hat - t
        return float(np.mean(residual * residual)), (2.0 * share) * residual
    sign = 1.0 - 2.0 * t  # ℓ = softplus(sign·ŷ), as in gradtrail.chain.output_loss
    u = sign * y_hat
    return float(np.mean(np.logaddexp(0.0, u))), (share * sign) * sigmoid_pair(u)[0]


class NetworkSampler:
    """Minibatch gradients of a network's loss over one run's batches."""

    def __init__(self, network: Network, batches: Batches) -> None:
        self.network = network
        self.epochs = batches.draws()

    def vector_grad(self, p: np.ndarray) -> np.ndarray:
        """The gradient over the next minibatch at the vector ``p``."""
        index = self.epochs.next()
        net = self.network
        batch = Network(net.layout, net.activation, net.loss, net.x[index], net.t[index])
        return batch.both(p)[1]
