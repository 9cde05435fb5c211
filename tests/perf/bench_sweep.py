"""Sweep benchmark; prints a table. Run: python tests/perf/bench_sweep.py

A 200 x 200 sweep of Adam's lr x betas[0] on rosenbrock, 1,000 steps: 40 million
optimizer steps (target <= 1.0 s on the 2-core machine), against the same work done
one run at a time with the engine (a sample of cells, timed and scaled).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from table import print_table  # run as a script, tests/perf/ is on the path

from gradtrail import RunSpec, Simulation, gather
from gradtrail.sweep import Sweep, SweepSpec

SPEC = {
    "surface": {"id": "rosenbrock"},
    "start": [-1.5, 2.0],
    "steps": 500,  # validated at the API's limit, then raised to 1,000 below
    "stop": {"grad_tol": 0.0},
    "optimizer": {"id": "adam"},
    "axes": [
        {"name": "lr", "low": 0.0001, "high": 1.0, "count": 200, "scale": "log"},
        {"name": "betas[0]", "low": 0.0, "high": 0.99, "count": 200},
    ],
}


def main() -> None:
    spec = SweepSpec.model_validate(SPEC).model_copy(update={"steps": 1000})
    times = []
    for _ in range(3):
        began = time.perf_counter()
        Sweep(spec).run()
        times.append(time.perf_counter() - began)
    sweep_s = min(times)
    rates, betas = np.geomspace(1e-4, 1.0, 200), np.linspace(0.0, 0.99, 200)
    sample = [
        (float(rates[i]), float(betas[j]))
        for i, j in zip(range(0, 200, 10), range(0, 200, 10), strict=True)
    ]
    single_times = []
    for lr, beta in sample:
        one = RunSpec.model_validate(
            {"surface": {"id": "rosenbrock"}, "start": [-1.5, 2.0], "steps": 1000,
             "stop": {"grad_tol": 0.0},
             "optimizers": [{"id": "adam", "params": {"lr": lr, "betas": [beta, 0.999]}}]}
        )  # fmt: skip
        began = time.perf_counter()
        gather(Simulation(one))
        single_times.append(time.perf_counter() - began)
    one_at_a_time = statistics.mean(single_times) * 40_000
    rows = [
        ("200 x 200 Adam sweep, 1,000 steps", f"{sweep_s:.2f} s (best of 3)", "<= 1.0 s"),
        ("  optimizer steps per second", f"{40e6 / sweep_s / 1e6:.1f} M", "-"),
        ("same work one run at a time", f"{one_at_a_time:.0f} s (20 runs, scaled)", "-"),
        ("  speed-up of the batch", f"{one_at_a_time / sweep_s:.0f} x", "-"),
    ]
    print_table(rows)


if __name__ == "__main__":
    main()
