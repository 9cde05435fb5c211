"""One cost model: a minibatch step costs its batch, and the loops check their budget
at bounded intervals of that cost, not of steps."""

from __future__ import annotations

from gradtrail.cost import CHECK_WORK, data_view_work, run_work
from gradtrail.runner import Simulation
from gradtrail.spec import RunSpec
from gradtrail.sweep import Sweep, SweepSpec

MILLION = {"id": "regression", "generate": {"n": 1_000_000}}


def spec_with(batch_size: int | None, steps: int = 100) -> RunSpec:
    entry = {"id": "gd", "params": {"lr": 0.01}, "batch_size": batch_size}
    return RunSpec.model_validate({"surface": MILLION, "steps": steps, "optimizers": [entry]})


def test_a_minibatch_step_costs_its_batch_as_a_full_pass_costs_its_samples() -> None:
    full, one, big = (run_work(spec_with(size)) for size in (None, 1, 999_999))
    assert full == 100 and one == 100 * (1 + 1 / 8)
    assert big == 100 * (1 + 999_999 / 8)
    neuron = RunSpec.model_validate({"surface": {"id": "neuron", "classes": {"n": 8000}},
                                     "steps": 100, "optimizers": [{"id": "gd"}]})  # fmt: skip
    assert run_work(neuron) == 100 * 1000


def test_a_data_view_costs_its_samples_and_its_batch_whatever_the_step() -> None:
    assert data_view_work(1_000_000, 1) < data_view_work(1_000_000, 1_000_000)
    assert data_view_work(1_000_000, 10) == data_view_work(1_000_000, 10)  # no step in it


def test_frames_hold_a_bounded_amount_of_work() -> None:
    plain = [len(f.runs[0].x) for f in Simulation(spec_with(None, 300)).frames()]
    assert plain[0] == 101  # the start point and a whole frame of 100 cheap steps
    big = Simulation(spec_with(999_999, 3))
    assert [len(f.runs[0].x) for f in big.frames()] == [2, 1, 1]  # one costly step each
    assert sum(big.step_work) > CHECK_WORK


def test_a_sweep_steps_each_large_batch_shard_one_step_between_checks() -> None:
    sweep = Sweep(SweepSpec.model_validate({
        "surface": MILLION, "optimizer": {"id": "gd"}, "steps": 10,
        "axes": [{"name": "batch_size", "values": [8, 999_999]}],
    }))  # fmt: skip
    assert sweep.groups.chunks == [50, 1]
    assert sweep.work() == 10 * ((1 + 8 / 8) + (1 + 999_999 / 8))
    reports = list(sweep.progress())
    assert len(reports) > 10  # the big shard reports after every step
