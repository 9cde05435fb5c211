"""The compute lanes in-process: large work gives way, and stops before it starts when
its client has left or its deadline has passed while it waited."""

from __future__ import annotations

import threading

import pytest

from gradtrail.app.compute import SMALL_FIRST, Budget, ClientGone, DeadlineExceeded, Lane
from tests.conftest import run_async


def run_large(budget: Budget, started: list[bool]) -> None:
    lane = Lane("large", threads=1, queue=0, gives_way=True)
    run_async(lane.run(lambda: started.append(True), budget=budget))


@pytest.mark.parametrize(("seconds", "error"), [(30.0, ClientGone), (0.2, DeadlineExceeded)])
def test_large_work_that_waited_for_its_turn_stops_before_it_starts(
    seconds: float, error: type[Exception]
) -> None:
    budget = Budget(seconds, gives_way=True)  # made here: its deadline runs from now
    started: list[bool] = []
    with SMALL_FIRST.running_small():  # a small computation runs all along
        if error is ClientGone:
            threading.Timer(0.2, budget.abandoned.set).start()  # its client leaves
        with pytest.raises(error):
            run_large(budget, started)
    assert not started


def test_large_work_starts_once_the_small_work_is_done() -> None:
    started: list[bool] = []
    small = SMALL_FIRST.running_small()
    small.__enter__()
    threading.Timer(0.2, small.__exit__, (None, None, None)).start()
    run_large(Budget(30.0, gives_way=True), started)
    assert started == [True]


def test_a_server_computes_with_blas_in_one_thread() -> None:
    """The lanes' threads are the server's parallelism: numpy's BLAS runs in one thread a
    computation (more only oversubscribe the cores). A served worker builds its app as
    here; the machine's BLAS would otherwise use a thread per core."""
    from threadpoolctl import threadpool_info

    from gradtrail.app.main import create_app

    create_app()
    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and set(blas) == {1}


def test_every_lesson_is_small_work_and_a_maximal_run_is_large() -> None:
    """The lanes' default line: a class's lessons share the small lane's threads, while a
    maximal run on a built-in surface (every optimizer, every step: 1.6 s in one piece
    here) goes to the large lane, where it cannot hold a thread a class's frames wait for
    (in the small lane it took the classroom's p95 first frame from 0.8 s to 9.5 s)."""
    from gradtrail import RunSpec
    from gradtrail.app.compute import lane_for
    from gradtrail.app.costs import run_work
    from gradtrail.presets import PRESETS
    from gradtrail.spec import MAX_OPTIMIZERS, MAX_STEPS

    assert {lane_for(run_work(p.run_spec())).name for p in PRESETS.values()} == {"small"}
    maximal = RunSpec.model_validate(
        {"surface": {"id": "rosenbrock"}, "steps": MAX_STEPS,
         "optimizers": [{"id": "adam"}] * MAX_OPTIMIZERS}
    )  # fmt: skip
    assert lane_for(run_work(maximal)).name == "large"
