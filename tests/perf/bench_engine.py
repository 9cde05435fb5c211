"""Engine benchmarks; prints a table. Run: python tests/perf/bench_engine.py

(a) one spec, 4 optimizers x 1,000 steps on rosenbrock (target <= 20 ms median)
(b) 10,000 runs x 1,000 Adam steps in one batch, summaries only (target >= 50 M steps/s),
    against the same batch as in-place torch operations on one thread (target ratio >= 1.0)
(d) why the built-ins keep a hand-written f and ∇f: (a) and (b) again with Rosenbrock
    computed by the formula compiler from its own expression (what each built-in's
    backward-pass graph is built from); tests/engine/test_builtin_fast_paths.py checks
    the two agree
(c) regression grid 200 x 200 over 1,000,000 points after the one pass (target <= 30 ms),
    against evaluating the mean over the data directly at each grid point.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from table import print_table  # run as a script, tests/perf/ is on the path

from gradtrail import OPTIMIZERS, RunSpec, build_surface, run, run_batch
from gradtrail.formula import compile_formula
from gradtrail.heap import keep_freed_memory
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.regression import LineData, generate_line, regression
from gradtrail.spec import StopSpec, SurfaceSpec
from gradtrail.surfaces import Surface, one_pass


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of each of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def bench_spec() -> tuple[str, str, str]:
    spec = RunSpec.model_validate(
        {
            "surface": {"id": "rosenbrock"},
            "steps": 1000,
            "stop": {"grad_tol": 0.0},
            "optimizers": [{"id": "adam"}, {"id": "momentum"}, {"id": "rmsprop"}, {"id": "gd"}],
        }
    )
    median = statistics.median(timed(lambda: run(spec), 21)) * 1e3
    return ("(a) 4 optimizers x 1,000 steps, one spec", f"{median:.1f} ms median", "<= 20 ms")


BATCH_RUNS, BATCH_STEPS = 10_000, 1_000


def batch_rate(surface: Surface) -> float:
    """Million steps a second of the (b) batch on ``surface``, best of 5."""
    n, steps = BATCH_RUNS, BATCH_STEPS
    hp = {**OPTIMIZERS["adam"].defaults(), "lr": np.geomspace(1e-4, 0.1, n)}
    starts = np.tile([-1.5, 2.0], (n, 1))
    best = min(timed(lambda: run_batch(surface, "adam", hp, starts, steps, StopSpec()), 5))
    return n * steps / best / 1e6


def bench_batch() -> tuple[float, tuple[str, str, str]]:
    rate = batch_rate(build_surface(SurfaceSpec(id="rosenbrock")))
    row = (
        "(b) 10,000 runs x 1,000 Adam steps, batch",
        f"{rate:.1f} M steps/s (best of 5)",
        ">= 50",
    )
    return rate, row


def torch_adam_batch(torch: Any, steps: int) -> Any:
    """The same batch as (b) written as in-place torch operations on ``(2, n)`` tensors:
    Rosenbrock's gradient (a = 1, b = 100) and Adam's update (torch's defaults, per-run
    lr), without stop checks: what a hand-written torch loop would do."""
    n = BATCH_RUNS
    p = torch.tensor(np.tile([[-1.5], [2.0]], (1, n)), dtype=torch.float64)
    lr = torch.tensor(np.geomspace(1e-4, 0.1, n), dtype=torch.float64)
    m, v, g = torch.zeros_like(p), torch.zeros_like(p), torch.empty_like(p)
    r, denom, update = torch.empty(n, dtype=torch.float64), torch.empty_like(p), torch.empty_like(p)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    x, y = p[0], p[1]
    for t in range(1, steps + 1):
        torch.mul(x, x, out=r)
        torch.sub(y, r, out=r)  # r = y - x²
        torch.mul(r, 200.0, out=g[1])  # ∂f/∂y = 2b r
        torch.mul(x, r, out=g[0]).mul_(-400.0).add_(x, alpha=2.0).sub_(2.0)  # -4b x r + 2(x - 1)
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        torch.sqrt(v, out=denom).div_(math.sqrt(1 - beta2**t)).add_(eps)
        torch.div(m, denom, out=update).mul_(lr)
        p.sub_(update, alpha=1 / (1 - beta1**t))
    return p


def bench_torch(rate: float) -> list[tuple[str, str, str]]:
    try:
        import torch
    except ImportError:
        return [("(b) same batch, in-place torch, 1 thread", "torch not installed", "-")]
    torch.set_num_threads(1)
    best = min(timed(lambda: torch_adam_batch(torch, BATCH_STEPS), 5))
    torch_rate = BATCH_RUNS * BATCH_STEPS / best / 1e6
    return [
        (
            "(b) same batch, in-place torch, 1 thread",
            f"{torch_rate:.1f} M steps/s (best of 5)",
            "-",
        ),
        ("(b) batch stepper / torch", f"{rate / torch_rate:.2f} x", ">= 1.0"),
    ]


def bench_grid() -> list[tuple[str, str, str]]:
    x, t = generate_line(2.0, 1.0, 0.5, 1_000_000, (-5.0, 5.0), 0)
    began = time.perf_counter()
    surface = regression(LineData.from_points(x, t))
    one_pass = (time.perf_counter() - began) * 1e3
    grid_ms = statistics.median(timed(lambda: surface.grid(200), 21)) * 1e3
    small = np.linspace(-10, 10, 10)
    w, b = np.meshgrid(small, small)
    direct_s = min(
        timed(
            lambda: [
                np.mean((t - (wi * x + bi)) ** 2)
                for wi, bi in zip(w.ravel(), b.ravel(), strict=True)
            ],
            3,
        )
    )
    direct_ms = direct_s / 100 * 40_000 * 1e3
    return [
        ("(c) one pass over 1,000,000 points", f"{one_pass:.1f} ms", "-"),
        ("(c) regression grid 200 x 200", f"{grid_ms:.2f} ms median", "<= 30 ms"),
        ("(c) same grid, direct mean (10x10, scaled)", f"{direct_ms:,.0f} ms", "-"),
        ("(c) speed-up of sufficient statistics", f"{direct_ms / grid_ms:,.0f} x", "-"),
    ]


def compiled(surface: Surface) -> Surface:
    """``surface`` computed from its expression by the formula compiler, not by hand."""
    formula = compile_formula(surface.expression)
    return replace(surface, **one_pass(formula.value_and_gradient, formula.value))


def bench_compiled(spec_ms: float, rate: float) -> list[tuple[str, str, str]]:
    """(a) and (b) on the compiled Rosenbrock, and how much slower each is."""
    hand = SURFACE_KINDS["rosenbrock"]
    SURFACE_KINDS["rosenbrock"] = replace(hand, build=lambda spec: compiled(hand.build(spec)))
    try:
        compiled_ms = float(bench_spec()[1].split()[0])
        surface = build_surface(SurfaceSpec(id="rosenbrock"))
    finally:
        SURFACE_KINDS["rosenbrock"] = hand
    compiled_rate = batch_rate(surface)
    return [
        ("(d) (a) with the compiled formula", f"{compiled_ms:.1f} ms median", "-"),
        ("(d) (a) compiled / hand-written", f"{compiled_ms / spec_ms:.2f} x", "-"),
        ("(d) (b) with the compiled formula", f"{compiled_rate:.1f} M steps/s (best of 5)", "-"),
        ("(d) (b) hand-written / compiled", f"{rate / compiled_rate:.2f} x", "-"),
    ]


def main() -> None:
    keep_freed_memory()  # as the server does at start-up (gradtrail.app.compute)
    rate, batch = bench_batch()
    spec = bench_spec()
    rows = [
        spec, batch, *bench_torch(rate), *bench_compiled(float(spec[1].split()[0]), rate),
        *bench_grid(),
    ]  # fmt: skip
    print_table(rows)


if __name__ == "__main__":
    main()
