"""The measures the network lessons' claims read, on small cases worked by hand and against
torch autograd: the share classified right, hidden units as copies, a straight boundary,
each layer's gradient at the start, the loss the slice shows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gradtrail.network_claims import (
    boundary_is_a_line,
    hidden_units_identical,
    right_share,
    slice_loss,
    start_gradients,
)
from gradtrail.runner import run
from gradtrail.spec import RunSpec

torch = pytest.importorskip("torch")

LINE_DATA = {"x": [[1.0, 0.0], [-1.0, 0.0], [2.0, 0.0], [-2.0, 0.0]], "y": [1.0, 0.0, 0.0, 1.0]}


def result_of(surface: dict[str, Any], steps: int = 5, plane: str = "pca") -> Any:
    spec = {
        "surface": {"id": "network", "plane": {"kind": plane}, **surface},
        "steps": steps,
        "optimizers": [{"id": "gd", "params": {"lr": 0.1}}],
        "record": ["parameters"],
    }
    return run(RunSpec.model_validate(spec))


def test_right_share_counts_by_hand() -> None:
    # w = (1, 0), b = 0: the logit is x₁; right are (1, 0) of class 1 and (−1, 0) of class 0.
    result = result_of({"layers": [2, 1], "data": LINE_DATA, "init": [1.0, 0.0, 0.0]}, steps=1)
    assert right_share(result, result.runs[0], step=0) == 0.5
    # Under the squared error the threshold is ½: outputs 1, −1, 2, −2 against 1, 0, 0, 1.
    squared = result_of(
        {"layers": [2, 1], "data": LINE_DATA, "init": [1.0, 0.0, 0.0], "loss": "mse"}, steps=1
    )
    assert right_share(squared, squared.runs[0], step=0) == 0.5


def test_copies_of_one_unit_are_found_and_a_seeded_start_is_not_one() -> None:
    generated = {"layers": [2, 3, 1], "activation": "sigmoid", "generate": {"kind": "xor", "n": 21}}
    # Three copies of the unit (0.5, −0.25 | 0.1) feeding the output with 0.3 each.
    copies = [0.5, -0.25] * 3 + [0.1] * 3 + [0.3] * 3 + [0.0]
    same = result_of({**generated, "init": copies})
    assert hidden_units_identical(same, same.runs[0])
    assert boundary_is_a_line(same, same.runs[0])
    seeded = result_of({**generated, "init_seed": 0})
    assert not hidden_units_identical(seeded, seeded.runs[0])
    unequal = copies.copy()
    unequal[-2] = 0.31  # one outgoing weight differs: no longer copies
    different = result_of({**generated, "init": unequal})
    assert not hidden_units_identical(different, different.runs[0])


def test_a_bent_boundary_is_not_a_line() -> None:
    # Units tanh(x₁) and tanh(x₂), summed: at x₁ = 0, 1, 2 (x₂ = 2, −2, 2) the outputs are
    # 0.96, −0.20, 1.93, not ordered as the first unit's input x₁ is.
    data = {"x": [[0.0, 2.0], [1.0, -2.0], [2.0, 2.0]], "y": [1.0, 0.0, 1.0]}
    init = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0]
    surface = {"layers": [2, 2, 1], "activation": "tanh", "data": data, "init": init}
    result = result_of(surface, steps=1)
    assert not boundary_is_a_line(result, result.runs[0])


def test_start_gradients_are_torchs() -> None:
    surface = {"layers": [2, 5, 4, 1], "activation": "sigmoid", "generate": {"kind": "moons"},
               "init_seed": 3}  # fmt: skip
    result = result_of(surface, steps=1)
    net = result.surface.samples
    layers = [torch.nn.Linear(2, 5), torch.nn.Linear(5, 4), torch.nn.Linear(4, 1)]
    model = torch.nn.Sequential(layers[0], torch.nn.Sigmoid(), layers[1], torch.nn.Sigmoid(),
                                layers[2]).double()  # fmt: skip
    torch.nn.utils.vector_to_parameters(torch.tensor(result.runs[0].parameters[0]),
                                        model.parameters())  # fmt: skip
    logits = model(torch.tensor(net.x))[:, 0]
    torch.nn.BCEWithLogitsLoss()(logits, torch.tensor(net.t)).backward()
    expected = [float(layer.weight.grad.norm()) for layer in layers]
    assert start_gradients(result) == pytest.approx(expected, rel=1e-12)


def test_the_slice_reads_the_loss_on_the_plane_not_at_the_vector() -> None:
    surface = {"layers": [2, 4, 1], "activation": "tanh", "generate": {"kind": "circles"},
               "init_seed": 0}  # fmt: skip
    result = result_of(surface, steps=40, plane="random")
    path, plane = result.runs[0], result.surface.plane
    a, b = float(path.x[-1]), float(path.y[-1])
    on_plane = plane.origin + a * plane.directions[0] + b * plane.directions[1]
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    model = model.double()
    torch.nn.utils.vector_to_parameters(torch.tensor(on_plane), model.parameters())
    net = result.surface.samples
    with torch.no_grad():
        loss = torch.nn.BCEWithLogitsLoss()(model(torch.tensor(net.x))[:, 0], torch.tensor(net.t))
    assert slice_loss(result, path) == pytest.approx(loss.item(), rel=1e-12)
    assert abs(slice_loss(result, path) - path.loss[-1]) > 1e-3  # off the plane: another loss
    assert np.linalg.norm(path.parameters[-1] - on_plane) == pytest.approx(path.off_plane[-1])
