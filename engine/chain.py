r"""A hidden layer on an exact 2-D surface: the chain ``x → h = φ(w₁ x) → ŷ = w₂ h``.

The smallest network with a hidden layer whose loss is still a function of two numbers.
Per sample, with :math:`z_i = w_1 x_i`, :math:`h_i = φ(z_i)` and :math:`\hat y_i = w_2 h_i`:

- ``mse``: :math:`\ell_i = (\hat y_i - t_i)^2` (no ½, as the line fit and the neuron), so
  the output's error signal is :math:`δ_{2,i} = \partial \ell_i / \partial \hat y_i =
  2(\hat y_i - t_i)`;
- ``cross_entropy``: :math:`\hat y_i` is the logit of :math:`p_i = σ(\hat y_i)` for 0/1
  targets, :math:`\ell_i = \operatorname{softplus}(\hat y_i) - t_i \hat y_i` (torch's
  ``BCEWithLogitsLoss``, written as :math:`\operatorname{softplus}((1 - 2t_i)\hat y_i)`,
  which neither overflows nor cancels), and :math:`δ_{2,i} = σ(\hat y_i) - t_i`.

The error signal passes back through :math:`w_2` and the activation's slope,
:math:`δ_{1,i} = δ_{2,i}\, w_2\, φ'(z_i)`, and the loss :math:`L = \frac1n \sum_i \ell_i`
has the gradient

.. math::
    \frac{\partial L}{\partial w_2} = \frac1n \sum_i δ_{2,i} h_i, \qquad
    \frac{\partial L}{\partial w_1} = \frac1n \sum_i δ_{1,i} x_i.

The landscape is not a bowl. tanh is odd, so :math:`L(-w_1, -w_2) = L(w_1, w_2)`: minima
come in mirror pairs, and the origin (where :math:`h = 0` and :math:`w_2 = 0`) is a
critical point, a saddle unless the data are uncorrelated. The sigmoid saturates where
:math:`|w_1 x|` is large (:math:`φ' \to 0`): plateaus. ReLU is positively homogeneous,
:math:`\operatorname{relu}(w_1 x) = w_1 \operatorname{relu}(x)` for :math:`w_1 > 0`, so
in each half-plane :math:`L` depends on :math:`w_1 w_2` alone: its minima are
hyperbolas, never isolated points, and where :math:`w_1 x_i \le 0` for every sample the
unit is dead and no gradient reaches either weight (:math:`φ'(0) = 0`, as torch's).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, NamedTuple, get_args

import numpy as np
from pydantic import ConfigDict, Field, field_validator

from gradtrail.cost import samples_cost
from gradtrail.epochs import Batches
from gradtrail.fields import Bounded, LineDataSpec, Seed, Strict
from gradtrail.graph import Graph, GraphBuilder
from gradtrail.neuron import GRID_BLOCK, LOSSES, Loss
from gradtrail.numeric import Real
from gradtrail.regression import as_samples
from gradtrail.surfaces import DataForm, Menu, Point, Surface, SurfaceKind, one_pass

Activation = Literal["tanh", "sigmoid", "relu"]
ACTIVATIONS: tuple[Activation, ...] = get_args(Activation)
DEFAULT_ACTIVATION: Activation = "tanh"
DEFAULT_LOSS: Loss = "mse"  # the course's first loss for a network that fits a curve
MAX_CHAIN_POINTS = 10_000  # every evaluation visits every sample, as the neuron's
PARAMETERS = ("w1", "w2")  # the graph's inputs (identifiers: Python folds "w₁" to "w1")
AXES = ("w₁", "w₂")  # what the page and the figures call them
# Texts of this kind in the catalogues (engine/locales): its name, the name with its
# activation and loss, a two-sentence description, the axes, the error signals, the curve.
TEXTS = {
    "name": "surface.chain",
    "name_under": "surface.chain.under",
    "description": "surface.chain.description",
    "activation": "chain_activation",
    "axis_w1": "figure.chain_w1",
    "axis_w2": "figure.chain_w2",
    "delta_output": "backprop.chain_delta_output",
    "delta_hidden": "backprop.chain_delta_hidden",
    "update_w2": "backprop.chain_update_w2",
    "update_w1": "backprop.chain_update_w1",
    "curve": "figure.data_chain",
}
ACTIVATION_TEXTS = {  # the activation menu's entries
    "tanh": "activation.tanh", "sigmoid": "activation.sigmoid", "relu": "activation.relu",
}  # fmt: skip
ACTIVATION_LATEX = {"tanh": r"\tanh", "sigmoid": "σ", "relu": r"\operatorname{ReLU}"}


def chain_formula(activation: Activation, loss: Loss) -> str:
    """The loss in LaTeX, its activation written in."""
    phi = ACTIVATION_LATEX[activation]
    if loss == "mse":
        return rf"\frac1n \sum_i \big(w_2\,{phi}(w_1 x_i) - t_i\big)^2"
    return (
        r"-\frac1n \sum_i \big[t_i \log σ(\hat y_i) + (1 - t_i) \log(1 - σ(\hat y_i))\big],\ "
        rf"\hat y_i = w_2\,{phi}(w_1 x_i)"
    )


# ---- the numbers --------------------------------------------------------------------


def sigmoid_pair(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """σ(z) and σ(−z) = 1 − σ(z), each to full relative precision (one exp, no overflow):
    the saturated sigmoid's slope σ(z)σ(−z) stays tiny instead of becoming 0."""
    e = np.exp(-np.abs(z))
    big = 1.0 / (1.0 + e)
    small = e * big
    positive = z >= 0.0
    return np.where(positive, big, small), np.where(positive, small, big)


def hidden(z: np.ndarray, activation: Activation) -> np.ndarray:
    """``h = φ(z)`` alone (a grid's values, the data view's curve, generated data)."""
    if activation == "tanh":
        return np.tanh(z)
    if activation == "sigmoid":
        return sigmoid_pair(z)[0]
    return np.maximum(z, 0.0)


def activate(z: np.ndarray, activation: Activation) -> tuple[np.ndarray, ...]:
    """``h = φ(z)``, ``φ′(z)`` and ``φ″(z)``."""
    if activation == "tanh":
        h = np.tanh(z)
        slope = 1.0 - h * h
        return h, slope, -2.0 * h * slope
    if activation == "sigmoid":
        h, rest = sigmoid_pair(z)
        slope = h * rest
        return h, slope, slope * (rest - h)
    slope = (z > 0.0).astype(np.float64)  # relu′(0) = 0, as torch's
    return np.maximum(z, 0.0), slope, np.zeros_like(z)


def output_loss(y_hat: np.ndarray, t: np.ndarray, loss: Loss) -> tuple[np.ndarray, ...]:
    """Per sample ``ℓ``, ``δ₂ = ∂ℓ/∂ŷ`` and ``∂²ℓ/∂ŷ²`` (``t`` 0 or 1 under cross-entropy)."""
    if loss == "mse":
        residual = y_hat - t
        return residual * residual, 2.0 * residual, np.full_like(y_hat, 2.0)
    sign = 1.0 - 2.0 * t  # +1 for class 0, −1 for class 1: ℓ = softplus(sign·ŷ)
    u = sign * y_hat
    p, q = sigmoid_pair(u)
    return np.logaddexp(0.0, u), sign * p, p * q


def loss_value(y_hat: np.ndarray, t: np.ndarray, loss: Loss) -> np.ndarray:
    """Per sample ``ℓ`` alone (a grid's values): as :func:`output_loss`, without the rest."""
    if loss == "mse":
        residual = y_hat - t
        return residual * residual
    return np.logaddexp(0.0, (1.0 - 2.0 * t) * y_hat)


class Terms(NamedTuple):
    """Every sample's forward and backward terms (arrays of one shape)."""

    z: np.ndarray  # w₁ x
    h: np.ndarray  # φ(z), the hidden unit
    slope: np.ndarray  # φ′(z)
    curvature: np.ndarray  # φ″(z)
    y_hat: np.ndarray  # w₂ h, the output (a logit under cross-entropy)
    loss: np.ndarray  # ℓ
    delta_output: np.ndarray  # δ₂ = ∂ℓ/∂ŷ
    loss_curvature: np.ndarray  # ∂²ℓ/∂ŷ²
    delta_hidden: np.ndarray  # δ₁ = δ₂ w₂ φ′(z) = ∂ℓ/∂z


def terms(w1: Real, w2: Real, x: np.ndarray, t: np.ndarray, activation: Activation,
          loss: Loss) -> Terms:  # fmt: skip
    """The terms at ``(w1, w2)`` for samples ``(x, t)``, broadcast together."""
    with np.errstate(all="ignore"):
        z = w1 * x
        h, slope, curvature = activate(z, activation)
        y_hat = w2 * h
        value, delta_output, loss_curvature = output_loss(y_hat, t, loss)
        delta_hidden = delta_output * w2 * slope
    return Terms(z, h, slope, curvature, y_hat, value, delta_output, loss_curvature, delta_hidden)


@dataclass(frozen=True)
class ChainData:
    """Inputs ``x``, targets ``t`` and the network they are fitted with."""

    x: np.ndarray
    t: np.ndarray
    activation: Activation = DEFAULT_ACTIVATION
    loss: Loss = DEFAULT_LOSS

    @classmethod
    def from_points(cls, x: np.ndarray, t: np.ndarray, activation: Activation = DEFAULT_ACTIVATION,
                    loss: Loss = DEFAULT_LOSS) -> ChainData:  # fmt: skip
        """Checked samples: classes 0 or 1 under cross-entropy, inputs within ±1e6."""
        x, t = as_samples(x, t)
        if loss == "cross_entropy" and not np.all((t == 0.0) | (t == 1.0)):
            raise ValueError("under cross-entropy the targets t must each be 0 or 1")
        if not np.all(np.abs(x) <= 1e6):
            raise ValueError("the inputs x must lie within ±1e6")
        if not np.all(np.abs(t) <= 1e6):
            raise ValueError("the targets t must lie within ±1e6")
        return cls(x, t, activation, loss)

    def evaluate(self, w1: Real, w2: Real, gradient: bool = True) -> tuple[Real, ...]:
        """``L`` and (with ``gradient``) ``∂L/∂w₁``, ``∂L/∂w₂`` at one point (floats) or many
        (arrays of any shape): every point × every sample, in slices of :data:`GRID_BLOCK`."""
        scalar = np.ndim(w1) == 0 and np.ndim(w2) == 0
        both = np.broadcast_arrays(np.asarray(w1, np.float64), np.asarray(w2, np.float64))
        flat1, flat2 = (a.reshape(-1, 1) for a in both)
        rows = max(1, GRID_BLOCK // self.x.size)
        parts = [self.block(flat1[i : i + rows], flat2[i : i + rows], gradient)
                 for i in range(0, flat1.shape[0], rows)]  # fmt: skip
        columns = [np.concatenate([part[k] for part in parts]) for k in range(len(parts[0]))]
        if scalar:
            return tuple(float(c[0]) for c in columns)
        return tuple(c.reshape(both[0].shape) for c in columns)

    def block(self, w1: np.ndarray, w2: np.ndarray, gradient: bool) -> tuple[np.ndarray, ...]:
        """Means over the samples for a column of points ``(k, 1)``."""
        share = 1.0 / self.x.size
        if not gradient:  # a grid's values: no slopes, no signals
            with np.errstate(all="ignore"):
                h = hidden(w1 * self.x, self.activation)
                return (loss_value(w2 * h, self.t, self.loss).sum(axis=1) * share,)
        at = terms(w1, w2, self.x, self.t, self.activation, self.loss)
        with np.errstate(all="ignore"):
            return (
                at.loss.sum(axis=1) * share,
                (at.delta_hidden @ self.x) * share,
                np.einsum("kn,kn->k", at.delta_output, at.h) * share,
            )

    def minibatches(self, batches: Batches) -> ChainSampler:
        """Gradients over ``batches``: shuffled epochs cut into batches, as a DataLoader
        draws them (the line fit's and the neuron's :class:`~gradtrail.epochs.Batches`)."""
        return ChainSampler(self, batches)

    def predict(self, w1: float, w2: float, x: np.ndarray) -> np.ndarray:
        """The network's output at inputs ``x``: ``ŷ``, or ``σ(ŷ)`` under cross-entropy
        (the curve a data view draws)."""
        y_hat = w2 * hidden(w1 * np.asarray(x, np.float64), self.activation)
        return sigmoid_pair(y_hat)[0] if self.loss == "cross_entropy" else y_hat


class ChainSampler:
    """Minibatch gradients of the chain's loss over one run's batches."""

    def __init__(self, data: ChainData, batches: Batches) -> None:
        self.data = data
        self.epochs = batches.draws()

    def grad(self, w1: Real, w2: Real) -> tuple[Real, Real]:
        """The gradient over the next minibatch at one or many ``(w1, w2)`` (one draw serves
        a whole batch of runs)."""
        index = self.epochs.next()
        batch = ChainData(self.data.x[index], self.data.t[index], self.data.activation,
                          self.data.loss)  # fmt: skip
        _, g1, g2 = batch.evaluate(w1, w2)
        return g1, g2


def value_gradient_hessian(data: ChainData, w1: float, w2: float) -> tuple[float, ...]:
    r"""``L``, ``∇L`` and the exact Hessian at one point, from
    :math:`\nabla^2 L = \frac1n \sum_i \ell''_i\, \nabla\hat y_i \nabla\hat y_i^\top +
    δ_{2,i} \nabla^2 \hat y_i` with :math:`\nabla \hat y = (w_2 φ' x,\ h)` and
    :math:`\nabla^2 \hat y = \begin{pmatrix} w_2 φ'' x^2 & φ' x \\ φ' x & 0\end{pmatrix}`.
    Returns ``(L, g₁, g₂, H₁₁, H₁₂, H₂₂)``."""
    at = terms(w1, w2, data.x, data.t, data.activation, data.loss)
    d1, d2 = w2 * at.slope * data.x, at.h
    c, delta = at.loss_curvature, at.delta_output
    return tuple(
        float(v.mean())
        for v in (
            at.loss, at.delta_hidden * data.x, delta * at.h,
            c * d1 * d1 + delta * w2 * at.curvature * data.x * data.x,
            c * d1 * d2 + delta * at.slope * data.x,
            c * d2 * d2,
        )
    )  # fmt: skip


# ---- what is known about the surface ------------------------------------------------

NEWTON_STEPS = 100
FAR = 1e4  # a Newton path past this |w| is heading for a minimum at infinity


def newton(data: ChainData, start: Point) -> Point | None:
    r"""A minimum found by Newton's method from ``start``, or None.

    Safeguarded: each step solves with the Hessian's eigenvalues replaced by their
    absolute values (floored), :math:`d = -\sum_k v_k v_k^\top \nabla L / \max(|λ_k|, ε)`,
    a descent direction even where the Hessian is indefinite (near the saddle), and is
    shortened by halves until it decreases ``L`` enough (Armijo). The point is reported
    only where the gradient is about 0 and the Hessian positive definite.
    """
    w = np.array(start, dtype=np.float64)
    f, g1, g2, h11, h12, h22 = value_gradient_hessian(data, *w)
    tolerance = 1e-8 * (1.0 + abs(f))
    for _ in range(NEWTON_STEPS):
        g, hessian = np.array([g1, g2]), np.array([[h11, h12], [h12, h22]])
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(hessian))):
            return None
        if np.hypot(g1, g2) <= 1e-3 * tolerance:
            break
        eigenvalues, vectors = np.linalg.eigh(hessian)
        floor = 1e-12 * max(1.0, float(np.abs(eigenvalues).max()))
        direction = -vectors @ ((vectors.T @ g) / np.maximum(np.abs(eigenvalues), floor))
        slope, step = float(g @ direction), 1.0
        while step > 1e-12:
            trial = w + step * direction
            trial_f = data.evaluate(float(trial[0]), float(trial[1]), gradient=False)[0]
            if trial_f <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            break  # no decrease left to find in floating point: judge the point as it is
        w = trial
        if np.abs(w).max() > FAR:
            return None
        f, g1, g2, h11, h12, h22 = value_gradient_hessian(data, *w)
    smallest, largest = np.linalg.eigvalsh(np.array([[h11, h12], [h12, h22]]))
    if np.hypot(g1, g2) <= tolerance and smallest > 1e-9 * max(1.0, abs(largest)):
        return float(w[0]), float(w[1])
    return None


def weight_scales(data: ChainData) -> tuple[float, float]:
    """A ``w₁`` that makes ``w₁ x`` of order 1 on the data, and a ``w₂`` of the targets' size."""
    spread = float(np.max(np.abs(data.x))) or 1.0
    size = float(np.sqrt(np.mean(data.t * data.t))) if data.loss == "mse" else 1.0
    return 1.0 / spread, size if size > 0.0 else 1.0


def known_minima(data: ChainData) -> tuple[Point, ...]:
    """Newton's minima from the symmetric pair of starts ``±(a, b)`` (:func:`weight_scales`;
    under tanh the mirrored start finds the mirrored minimum), duplicates dropped. None for
    ReLU, whose minima are hyperbolas (its loss depends on ``w₁ w₂`` alone in each half-plane)."""
    if data.activation == "relu":
        return ()
    a, b = weight_scales(data)
    found: list[Point] = []
    for start in ((a, b), (-a, -b)):
        point = newton(data, start)
        if point is not None and not any(
            np.hypot(point[0] - p[0], point[1] - p[1]) <= 1e-6 * (1.0 + np.hypot(*p)) for p in found
        ):
            found.append(point)
    return tuple(found)


def known_saddles(data: ChainData) -> tuple[Point, ...]:
    """The origin, where tanh's loss is critical (``h = 0``, ``w₂ = 0``), when its Hessian
    there is indefinite: ``[[0, m], [m, 0]]`` with ``m = mean(δ₂ x)`` at ``ŷ = 0``."""
    if data.activation != "tanh":
        return ()
    _, g1, g2, h11, h12, h22 = value_gradient_hessian(data, 0.0, 0.0)
    smallest, largest = np.linalg.eigvalsh(np.array([[h11, h12], [h12, h22]]))
    return ((0.0, 0.0),) if g1 == g2 == 0.0 and smallest < 0.0 < largest else ()


# ---- data ---------------------------------------------------------------------------

# ReLU's inputs are positive, so its unit is dead on the whole half-plane w₁ < 0.
DEFAULT_X_RANGE: dict[Activation, tuple[float, float]] = {
    "tanh": (-3.0, 3.0), "sigmoid": (-3.0, 3.0), "relu": (0.0, 3.0),
}  # fmt: skip
DEFAULT_NOISE: dict[Loss, float] = {"mse": 0.1, "cross_entropy": 1.0}


class ChainGenerate(Strict):
    """Data made by a chain of known weights ``(w1, w2)``: ``x`` uniform in ``x_range``
    (by default ``[-3, 3]``, ``[0, 3]`` for ReLU); under ``mse`` the targets are
    ``t = ŷ + noise·N(0, 1)``, under ``cross_entropy`` the classes ``t = [ŷ + noise·ε > 0]``
    with ``ε`` logistic, so ``P(t = 1) = σ(ŷ / noise)`` (noise 1: the network's own
    probabilities; 0: separable classes, whose minimum lies at infinity). ``noise``
    defaults to 0.1 under mse and 1 under cross-entropy."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: a cache key

    n: Annotated[int, Field(strict=True, ge=2, le=MAX_CHAIN_POINTS)] = 100
    w1: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=-100.0, le=100.0)] = 1.5
    w2: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=-100.0, le=100.0)] = 2.0
    noise: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=1e3)] | None = None
    x_range: tuple[Bounded, Bounded] | None = None
    seed: Seed = 0

    @field_validator("x_range")
    @classmethod
    def ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not value[0] < value[1]:
            raise ValueError("x_range must be [low, high] with low < high")
        return value


def generate_chain(
    generate: ChainGenerate, activation: Activation = DEFAULT_ACTIVATION, loss: Loss = DEFAULT_LOSS
) -> ChainData:
    """Samples drawn as :class:`ChainGenerate` says, from one seeded generator."""
    rng = np.random.default_rng(generate.seed)
    low, high = generate.x_range or DEFAULT_X_RANGE[activation]
    x = rng.uniform(low, high, generate.n)
    y_hat = generate.w2 * hidden(generate.w1 * x, activation)
    noise = DEFAULT_NOISE[loss] if generate.noise is None else generate.noise
    if loss == "mse":
        t = y_hat + noise * rng.standard_normal(generate.n)
    else:
        t = (y_hat + noise * rng.logistic(size=generate.n) > 0.0).astype(np.float64)
    return ChainData.from_points(x, t, activation, loss)


class ChainSpec(Strict):
    """The chain kind's own fields: ``activation``, ``loss`` (menus: tanh and mse unless
    named), and its samples as ``data`` (``y`` the targets, 0/1 classes under
    cross-entropy) or ``generate``d."""

    activation: Activation | None = None
    loss: Loss | None = None
    data: LineDataSpec | None = None
    generate: ChainGenerate | None = None


ACTIVATION_MENU = Menu(
    "activation", ACTIVATIONS, DEFAULT_ACTIVATION, "chain_activation", "activation"
)
LOSS_MENU = Menu("loss", LOSSES, DEFAULT_LOSS, "loss_menu", "loss")


def chain_rules(spec: Any) -> None:
    """Samples are pasted or generated, not both, and at most :data:`MAX_CHAIN_POINTS`."""
    if spec.data is not None and spec.generate is not None:
        raise ValueError("give either data or generate, not both")
    if spec.data is not None and len(spec.data.x) > MAX_CHAIN_POINTS:
        raise ValueError(f"the chain takes at most {MAX_CHAIN_POINTS:,} points")


# ---- the view: a start that shows the kind, a window that holds it --------------------


def saddle_start(data: ChainData, reach: float) -> Point:
    """A start a little off the path that runs into the saddle at the origin: that path
    (the saddle's stable manifold, which divides the two basins) traced outwards by
    ascent in steps of ``reach/40`` from the Hessian's positive direction (the ``w₁ < 0``
    branch) to distance ``reach``, then moved ``reach/50`` across it. Descent from there
    runs towards the saddle and turns off it to one of the two minima."""
    _, _, _, h11, h12, h22 = value_gradient_hessian(data, 0.0, 0.0)
    _, vectors = np.linalg.eigh(np.array([[h11, h12], [h12, h22]]))
    inward, across = vectors[:, 1], vectors[:, 0]
    w = 1e-3 * reach * (inward if inward[0] < 0.0 else -inward)
    for _ in range(1_000):  # about 40 steps leave the disc
        if np.hypot(*w) >= reach:
            break
        _, g1, g2 = data.evaluate(float(w[0]), float(w[1]))
        w = w + (reach / 40.0) * np.array([g1, g2]) / np.hypot(g1, g2)
    w = w + (reach / 50.0) * across * np.sign(across.sum() or 1.0)
    return round(float(w[0]), 2), round(float(w[1]), 2)


def default_start(data: ChainData, minima: tuple[Point, ...], saddles: tuple[Point, ...]) -> Point:
    """tanh: beside the saddle's incoming path; sigmoid: on the plateau where ``|w₁ x|`` is
    large and the unit saturates; ReLU: alive (``w₁ > 0``) with ``w₂`` of the wrong sign."""
    a, b = weight_scales(data)
    if saddles and minima:
        return saddle_start(data, 0.8 * max(np.hypot(*m) for m in minima))
    if data.activation == "sigmoid":
        return round(-12.0 * a, 2), round(0.5 * b, 2)
    root = float(np.sqrt(a * b))  # about where the valley w₁w₂ = c crosses w₁ = w₂
    return round(1.2 * root, 2), round(-0.6 * root, 2)


def default_window(data: ChainData, points: list[Point]) -> tuple[Point, Point]:
    """Symmetric about the origin (the saddle, the dead half-plane's edge), holding
    ``points`` (minima, saddles, start) with a quarter to spare, in steps of 0.5."""
    a, b = weight_scales(data)
    root = float(np.sqrt(a * b))
    half1 = max([2.0 * root, *(1.25 * abs(p[0]) for p in points)])
    half2 = max([2.0 * root, *(1.25 * abs(p[1]) for p in points)])
    half1, half2 = (min(float(np.ceil(h * 2.0)) / 2.0, 1e6) for h in (half1, half2))
    return (-half1, half1), (-half2, half2)


def chain(data: ChainData) -> Surface:
    """The chain's loss over ``(w₁, w₂)``, plotted as ``x = w₁``, ``y = w₂``."""

    def at(w1: Real, w2: Real) -> tuple[Real, tuple[Real, Real]]:
        value, g1, g2 = data.evaluate(w1, w2)
        return value, (g1, g2)

    def value_only(w1: Real, w2: Real) -> Real:
        return data.evaluate(w1, w2, gradient=False)[0]

    minima, saddles = known_minima(data), known_saddles(data)
    start = default_start(data, minima, saddles)
    return Surface(
        id="chain",
        formula=chain_formula(data.activation, data.loss),
        params={},
        domain=default_window(data, [*minima, *saddles, start]),
        minima=minima,
        default_start=start,
        **one_pass(at, value_only),  # every evaluation visits every sample: once per step
        extra={
            "n": int(data.x.size),
            "activation": data.activation,
            "loss": data.loss,
            "saddles": saddles,
            "axes": AXES,
        },
        samples=data,
        cost=samples_cost(int(data.x.size)),
    )


def build_chain(spec: Any) -> Surface:
    """The surface of a validated spec; bad samples raise a :class:`SpecError` on
    ``surface.data`` or ``surface.generate``."""
    from gradtrail.catalog import SpecError  # here: the registry in catalog will import us

    try:
        activation, loss = ACTIVATION_MENU.chosen(spec), LOSS_MENU.chosen(spec)
        if spec.data is not None:
            x, t = np.array(spec.data.x), np.array(spec.data.y)
            return chain(ChainData.from_points(x, t, activation, loss))
        return chain(generate_chain(spec.generate or ChainGenerate(), activation, loss))
    except ValueError as error:
        field = "surface.data" if spec.data is not None else "surface.generate"
        raise SpecError(field, str(error), "data") from None


# ---- the backward pass through the layers -------------------------------------------


@dataclass(frozen=True)
class ChainGraph:
    """One sample's loss as a graph with inputs ``w1, w2, x, t``, and the nodes the
    backward pass is told through: the adjoint of ``output`` is δ₂, that of
    ``hidden_sum`` is δ₁, those of the inputs ``w2`` and ``w1`` the sample's gradient
    (reverse order visits them so: δ₂, δ₁, ∂ℓ/∂w₂, ∂ℓ/∂w₁)."""

    graph: Graph
    hidden_sum: int  # z₁ = w₁ x
    hidden: int  # h = φ(z₁)
    output: int  # ŷ = w₂ h
    prediction: int  # ŷ (mse) or p = σ(ŷ) (cross-entropy)
    parameters: tuple[str, str] = PARAMETERS
    data: ChainData | None = None  # the samples, whose mean loss is the surface


def activation_node(builder: GraphBuilder, z: int, activation: Activation) -> int:
    """``φ(z)`` as graph operations. ReLU has no operation of its own: it is written
    ``|½(z + |z|)|``, equal to ``max(z, 0)`` and, by the chain rule with ``|·|′ = sign``,
    of slope ``sign(r)·½(1 + sign z)`` with ``r = ½(z + |z|)``: 1 for z > 0, 0 for z ≤ 0,
    exactly torch's (``½(z + |z|)`` alone would give ½ at 0)."""
    if activation != "relu":
        return builder.apply(activation, z)
    total = builder.apply("add", z, builder.apply("abs", z))
    return builder.apply("abs", builder.apply("mul", builder.const(0.5), total))


def sample_graph(activation: Activation, loss: Loss) -> ChainGraph:
    r"""One sample's loss: :math:`(t - w_2 φ(w_1 x))^2`, or the cross-entropy of
    :math:`p = σ(w_2 φ(w_1 x))`, :math:`-t \log p - (1 - t) \log(1 - p)`, written as the
    neuron's is (:func:`gradtrail.backprop.sample_graph`)."""
    builder = GraphBuilder(("w1", "w2", "x", "t"))
    w1, w2, x, t = (builder.inputs[name] for name in ("w1", "w2", "x", "t"))
    z = builder.apply("mul", w1, x)
    h = activation_node(builder, z, activation)
    y_hat = builder.apply("mul", w2, h)
    prediction = y_hat
    if loss == "cross_entropy":
        one = builder.const(1.0)
        prediction = builder.apply("sigmoid", y_hat)
        hit = builder.apply("mul", t, builder.apply("log", prediction))
        miss_p = builder.apply("log", builder.apply("sub", one, prediction))
        miss = builder.apply("mul", builder.apply("sub", one, t), miss_p)
        output = builder.apply("neg", builder.apply("add", hit, miss))
    else:
        output = builder.apply("square", builder.apply("sub", t, y_hat))
    graph = builder.build(output)
    # Every node built is needed, so the graph keeps the builder's numbering.
    assert len(graph.nodes) == len(builder.nodes)
    return ChainGraph(graph, z, h, y_hat, prediction)


def loss_graph(surface: Surface) -> ChainGraph:
    """The chain surface's graph, with its samples."""
    data: ChainData = surface.samples
    return replace(sample_graph(data.activation, data.loss), data=data)


class LayerSignals(NamedTuple):
    """Per sample, what the backward pass labels: the output's error signal δ₂ = ∂ℓ/∂ŷ,
    the hidden one δ₁ = δ₂ w₂ φ′(z₁), and the updates ∂ℓ/∂w₂ = δ₂ h, ∂ℓ/∂w₁ = δ₁ x
    (their means are the gradient), with the forward values they come from."""

    z: np.ndarray
    h: np.ndarray
    y_hat: np.ndarray
    loss: np.ndarray
    delta_output: np.ndarray
    delta_hidden: np.ndarray
    grad_w2: np.ndarray
    grad_w1: np.ndarray


def layer_signals(data: ChainData, w1: float, w2: float) -> LayerSignals:
    """Every sample's :class:`LayerSignals` at ``(w1, w2)``, from the formulas."""
    at = terms(w1, w2, data.x, data.t, data.activation, data.loss)
    return LayerSignals(at.z, at.h, at.y_hat, at.loss, at.delta_output, at.delta_hidden,
                        at.delta_output * at.h, at.delta_hidden * data.x)  # fmt: skip


def backprop_graph(surface: Surface) -> Any:
    """The backward pass's graph of one sample: its error signal is the output's, δ₂
    (the adjoint at ŷ); the hidden one, δ₁, is the adjoint at z₁ (:class:`ChainGraph`);
    the weights' updates use ∂L/∂w₂ = mean(δ₂·h) and ∂L/∂w₁ = mean(δ₁·x). All four are
    labelled, in the order the backward pass meets them."""
    from gradtrail.backprop import LossGraph, Signal

    chain_graph = loss_graph(surface)
    leaf = {n.name: i for i, n in enumerate(chain_graph.graph.nodes) if n.op == "input"}
    signals = (
        Signal(chain_graph.output, TEXTS["delta_output"]),
        Signal(chain_graph.hidden_sum, TEXTS["delta_hidden"]),
        # the updates' gradients, each beside its weight: ∂L/∂w₂ = mean(δ₂ h), ∂L/∂w₁ = mean(δ₁ x)
        Signal(leaf["w2"], TEXTS["update_w2"], parameter=1),
        Signal(leaf["w1"], TEXTS["update_w1"], parameter=0),
    )
    return LossGraph(chain_graph.graph, PARAMETERS, chain_graph.data, chain_graph.output,
                     chain_graph.prediction, signals)  # fmt: skip


CHAIN_FORM = DataForm(
    generator="generate", settings=ChainGenerate, view="chain", standardize=False,
    csv_label="csv_label", generated="data_generated_chain", example="x,t\n-1.5,-1.9\n0.5,1.3",
)  # fmt: skip

CHAIN = SurfaceKind(
    "chain",
    ChainSpec,
    build_chain,
    check=chain_rules,
    data=CHAIN_FORM,
    evaluation_cost=lambda spec: samples_cost(CHAIN_FORM.count(spec)),  # it visits each one
    graph=backprop_graph,
    axes=(TEXTS["axis_w1"], TEXTS["axis_w2"]),
    symbols=("w_1", "w_2"),
    menus=(ACTIVATION_MENU, LOSS_MENU),
)  # fmt: skip
