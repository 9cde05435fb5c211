"""Measures the network lessons' claims read from a result made with
``record: ["parameters"]``: the share of points classified right, whether hidden units
stayed copies of each other, each layer's gradient at the start, the loss the slice shows.

Everything here reads the run's recorded vectors and the surface's network
(:class:`~gradtrail.network.Network`); none of it changes what a run does.
"""

from __future__ import annotations

import numpy as np

from gradtrail.network import Network
from gradtrail.result import Result, Trajectory

LOG_2 = float(np.log(2.0))  # the cross-entropy of answering ½ for every point


def network(result: Result) -> Network:
    """The network the lesson's runs trained."""
    assert isinstance(result.surface.samples, Network), "a network lesson's surface"
    return result.surface.samples


def vectors(run: Trajectory) -> np.ndarray:
    """The run's parameter vector at every recorded step ``(points, P)``."""
    assert run.parameters is not None, "network claims read the recorded parameters"
    return run.parameters


def right_share(result: Result, run: Trajectory, step: int = -1) -> float:
    """The share of the samples on the right side of the decision boundary at ``step``:
    logit > 0 for class 1 under cross-entropy, output > ½ under the squared error."""
    net = network(result)
    threshold = 0.0 if net.loss == "cross_entropy" else 0.5
    return float(np.mean((net.output(vectors(run)[step]) > threshold) == (net.t == 1.0)))


def first_hidden_rows(result: Result, run: Trajectory) -> tuple[np.ndarray, ...]:
    """Per step, the first hidden layer's incoming weights ``(points, units, in)``, biases
    ``(points, units)`` and the next layer's weights from them ``(points, out, units)``."""
    layers = network(result).layout.unpack(vectors(run))
    (w_in, b_in), (w_out, _) = layers[0], layers[1]
    return w_in, b_in, w_out


def hidden_units_identical(result: Result, run: Trajectory) -> bool:
    """At every step each first-layer hidden unit has exactly the first unit's incoming
    weights, bias and outgoing weights: the units are copies of one another."""
    w_in, b_in, w_out = first_hidden_rows(result, run)
    return bool(
        np.all(w_in == w_in[:, :1, :])
        and np.all(b_in == b_in[:, :1])
        and np.all(w_out == w_out[:, :, :1])
    )


def boundary_is_a_line(result: Result, run: Trajectory) -> bool:
    """With one effective hidden unit the output is monotone in one linear function
    ``w·x + b`` of the input: ordered by it, the outputs at the end are ordered too."""
    net, p = network(result), vectors(run)[-1]
    (w_in, b_in), _ = network(result).layout.unpack(p)[:2]
    along = net.x @ w_in[0] + b_in[0]
    output = net.output(p)[np.argsort(along, kind="stable")]
    steps = np.diff(output)
    return bool(np.all(steps >= -1e-12) or np.all(steps <= 1e-12))


def start_gradients(result: Result) -> list[float]:
    """Per layer, the norm of ∂L/∂W at the start (the first layer first)."""
    net = network(result)
    _, gradient = net.both(vectors(result.runs[0])[0])
    return [float(np.linalg.norm(gradient[w:b])) for w, b, _ in net.layout.offsets]


def slice_loss(result: Result, run: Trajectory, step: int = -1) -> float:
    """The loss the contour shows under the run's drawn point at ``step``: the loss on the
    plane at the point's projection, not the network's own."""
    a, b = float(run.x[step]), float(run.y[step])
    return float(result.surface.value_xy(a, b))


def off_plane(run: Trajectory) -> np.ndarray:
    """The run's distance from the plane at every recorded step."""
    assert run.off_plane is not None, "a run over many parameters carries off_plane"
    return run.off_plane
