"""A [2, 8, 1] network on 200 points: four optimizers × 1,000 steps and the final plane's
contour, against the same steps as a torch.optim + autograd loop; prints a table.

Run: python tests/perf/bench_network.py

Targets (issue #34): the runs plus the contour in at most 1 s on this machine, the
first frame (the stream's first ten steps of every run) in at most 100 ms. Beside them,
in the same run: torch's loop over the same four optimizers (autograd gradients, one
thread), one evaluation of the loss and gradient against the cost model's estimate
(``gradtrail.network_kind.evaluation_cost``, in units of 13 µs), and the contour alone.
Each figure is the median of five repetitions.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from table import print_table  # run as a script, tests/perf/ is on the path

from gradtrail.network import Layout
from gradtrail.network_data import NetworkGenerate, generate_points
from gradtrail.network_kind import evaluation_cost
from gradtrail.runner import Simulation, run
from gradtrail.spec import RunSpec

GENERATE = {"kind": "circles", "n": 200, "noise": 0.1, "seed": 0}
OPTIMIZERS = [
    {"id": "gd", "params": {"lr": 0.5}},
    {"id": "momentum", "params": {"lr": 0.1, "momentum": 0.9}},
    {"id": "rmsprop", "params": {"lr": 0.01}},
    {"id": "adam", "params": {"lr": 0.05}},
]
SPEC = {
    "surface": {"id": "network", "layers": [2, 8, 1], "generate": GENERATE},
    "steps": 1000, "optimizers": OPTIMIZERS, "stop": {"grad_tol": 0.0},
}  # fmt: skip
TORCH = {"gd": "SGD", "momentum": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}
UNIT_SECONDS = 13e-6  # one unit of the cost model (gradtrail.cost)
REPEATS = 5


def median_seconds(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def runs_and_contour() -> None:
    result = run(SPEC)
    result.surface.grid()  # 100 × 100, the page's contour


def first_frame() -> None:
    simulation = Simulation(RunSpec.model_validate(SPEC))
    next(iter(simulation.frames(100, first_steps=10)))


def torch_loop() -> None:
    x, t = (torch.tensor(a) for a in generate_points(NetworkGenerate(**GENERATE)))
    start = torch.tensor(Layout((2, 8, 1)).initial(0))
    for entry in OPTIMIZERS:
        model = torch.nn.Sequential(
            torch.nn.Linear(2, 8, dtype=torch.float64), torch.nn.Tanh(),
            torch.nn.Linear(8, 1, dtype=torch.float64),
        )  # fmt: skip
        torch.nn.utils.vector_to_parameters(start, model.parameters())
        optimizer = getattr(torch.optim, TORCH[entry["id"]])(model.parameters(), **entry["params"])
        loss_of = torch.nn.BCEWithLogitsLoss()
        for _ in range(1000):
            optimizer.zero_grad()
            loss_of(model(x)[:, 0], t).backward()
            optimizer.step()


def main() -> None:
    torch.set_num_threads(1)
    torch_loop()  # torch.optim's first step imports its compiler's machinery: not timed
    runs_and_contour()
    spec = RunSpec.model_validate(SPEC)
    surface = Simulation(spec).surface
    vector = surface.vector.start
    evaluation = median_seconds(lambda: [surface.vector.both(vector) for _ in range(1000)]) / 1000
    grid = median_seconds(lambda: surface.grid())
    rows = [
        ("4 optimizers × 1,000 steps + 100² contour", f"{median_seconds(runs_and_contour):.3f} s",
         "≤ 1 s"),
        ("first frame (10 steps × 4 runs)", f"{1e3 * median_seconds(first_frame):.1f} ms",
         "≤ 100 ms"),
        ("torch.optim + autograd, same steps", f"{median_seconds(torch_loop):.3f} s", "beside"),
        ("contour alone (100² vectors)", f"{grid:.3f} s", "beside"),
        ("one loss + gradient", f"{1e6 * evaluation:.0f} µs",
         f"model: {evaluation_cost(spec.surface) * UNIT_SECONDS * 1e6:.0f} µs"),
    ]  # fmt: skip
    print_table(rows)
    assert np.isfinite(evaluation)


if __name__ == "__main__":
    main()
