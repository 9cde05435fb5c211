"""Where the numerics run: worker threads behind admission control, with a deadline.

The engine's per-run work is pure Python and holds the GIL, so more threads than
cores only add switching: a few threads keep the event loop responsive and let
each computation finish sooner (tests/perf/bench_api.py measures the effect).

Work enters one of two lanes by its estimated cost, so a class's small runs are
never queued behind someone's maximal sweep: each lane has its own threads and a
bounded queue, and a request that finds its queue full is refused at once (503,
``Retry-After``) instead of waiting without end. Every computation gets a
:class:`Budget`: the engine calls it between chunks of work, and it stops the
work when the request's deadline passes or its client has gone.

The lanes' threads share one interpreter lock, so a large computation running
beside small ones would take half their time or more: small work goes first,
and large work waits between its chunks while any small work runs here.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import math
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response
from threadpoolctl import threadpool_limits

from gradtrail.app.compression import MINIMUM_SIZE, accepts_gzip, compressed
from gradtrail.app.settings import get_settings
from gradtrail.heap import keep_freed_memory, release_freed_memory, share_heap_arenas

T = TypeVar("T")


class ServerBusy(Exception):
    """Every place in a lane's queue is taken: answered with 503 and ``Retry-After``."""

    def __init__(self, lane: str, retry_after: int) -> None:
        super().__init__(f"the server is busy with {lane} computations; try again shortly")
        self.retry_after = retry_after


class DeadlineExceeded(Exception):
    """The computation ran past its deadline and was stopped (503)."""


class ClientGone(Exception):
    """The client disconnected, so its computation was stopped."""


class SmallFirst:
    """Small computations before large ones, in this process: a large one waits for its
    turn (no small one running) before each of its chunks."""

    def __init__(self) -> None:
        self.small = 0
        self.turn = threading.Condition()

    @contextmanager
    def running_small(self) -> Iterator[None]:
        with self.turn:
            self.small += 1
        try:
            yield
        finally:
            with self.turn:
                self.small -= 1
                if not self.small:
                    self.turn.notify_all()

    def wait_for_turn(self, seconds: float, stop: threading.Event | None = None) -> None:
        """Wait until no small computation runs, at most ``seconds``, and no longer once
        ``stop`` is set (its client left: the caller's check says so)."""
        until = time.monotonic() + seconds
        with self.turn:
            while self.small and (remaining := until - time.monotonic()) > 0:
                if stop is not None and stop.is_set():
                    return
                self.turn.wait(min(remaining, 0.1))


SMALL_FIRST = SmallFirst()


@dataclass
class Budget:
    """What one request may still spend; ``check()`` raises once it is spent or abandoned.

    A budget that ``gives_way`` (large work) first waits for its turn, so the time
    small computations take from it counts against its deadline.
    """

    seconds: float
    gives_way: bool = False
    started: float = field(default_factory=time.monotonic)
    abandoned: threading.Event = field(default_factory=threading.Event)

    def check(self) -> None:
        if self.gives_way:
            left = self.seconds - (time.monotonic() - self.started)
            SMALL_FIRST.wait_for_turn(max(left, 0.0), self.abandoned)
        if self.abandoned.is_set():
            raise ClientGone
        if time.monotonic() - self.started > self.seconds:
            raise DeadlineExceeded(
                f"the computation took longer than its {self.seconds:g} s deadline;"
                " ask for fewer steps, runs or cells, or a shorter formula"
            )


@dataclass
class Lane:
    """Threads for one kind of work and a bounded queue in front of them."""

    name: str
    threads: int
    queue: int
    gives_way: bool  # its work waits while small work runs (see SmallFirst)
    limiter: anyio.CapacityLimiter = field(init=False)
    admitted: int = 0  # running or waiting; changed only on the event loop

    def __post_init__(self) -> None:
        self.limiter = anyio.CapacityLimiter(self.threads)

    async def run(
        self, function: Callable[..., T], *args: object, budget: Budget | None = None
    ) -> T:
        """``function(*args)`` on one of this lane's threads (waiting for a free one, and
        in a lane that gives way, for its turn: through ``budget``'s check when there is
        one, so that a client who leaves meanwhile stops it before it starts)."""
        try:
            turn = partial(self.in_turn, function, args, budget)
            return await anyio.to_thread.run_sync(turn, limiter=self.limiter)
        finally:
            release_when_idle()

    def in_turn(
        self, function: Callable[..., T], args: tuple[object, ...], budget: Budget | None
    ) -> T:
        if self.gives_way:
            if budget is not None:
                budget.check()
            else:
                SMALL_FIRST.wait_for_turn(get_settings().deadline_seconds)
            return function(*args)
        with SMALL_FIRST.running_small():
            if budget is not None:
                budget.check()  # its client left or its deadline passed while it waited
            return function(*args)

    @property
    def load(self) -> dict[str, int]:
        """Work running and waiting: every computation here holds an admission, so the
        threads in use never outnumber the places taken (a stream that computed its frames
        here without one once made ``waiting`` negative)."""
        running = int(self.limiter.borrowed_tokens)
        return {"running": running, "waiting": self.admitted - running, "queue": self.queue}


def make_lanes() -> dict[str, Lane]:
    settings = get_settings()
    return {
        "small": Lane("small", settings.compute_threads, settings.queue_small, gives_way=False),
        "large": Lane("large", 1, settings.queue_large, gives_way=True),
    }


# A thread that wants the interpreter lock asks for it after this long (Python's
# default is 5 ms): the event loop answers a request between two compute threads'
# turns, so a shorter wait is a shorter answer under load.
SWITCH_SECONDS = 0.001
LANES = make_lanes()


def configure_process() -> None:
    """The server's process-wide settings, made when it starts (never by the engine, which
    a notebook imports): its C heap's policy and the interpreter's switch interval."""
    share_heap_arenas()  # the lanes' threads share two heaps, which shrink once idle
    keep_freed_memory()  # sweeps step in batches; release_when_idle gives it back
    sys.setswitchinterval(SWITCH_SECONDS)  # the event loop waits less for the lock
    # The lanes' threads (and a server's workers) are its parallelism: BLAS threads of
    # their own in each computation only oversubscribe the cores. A network's plane (an
    # SVD of 602 x 201) took 0.22 s with OpenBLAS's two threads on this 2-core machine
    # under load, 0.014 s in one.
    threadpool_limits(limits=1, user_api="blas")


def lane_for(cost: float) -> Lane:
    """The lane for work of ``cost`` (optimizer steps × the surface's evaluation cost)."""
    return LANES["large" if cost >= get_settings().large_cost else "small"]


def load() -> dict[str, dict[str, int]]:
    """Per lane: computations running, waiting, and the queue's size (this process)."""
    return {name: lane.load for name, lane in LANES.items()}


@asynccontextmanager
async def admitted(cost: float) -> AsyncIterator[Lane]:
    """A place in the lane for ``cost``, held for the block; :class:`ServerBusy` at once
    when every place in that lane's queue is taken."""
    lane = lane_for(cost)
    if lane.admitted >= lane.threads + lane.queue:
        raise ServerBusy(lane.name, retry_after=retry_after(lane))
    lane.admitted += 1
    try:
        yield lane
    finally:
        lane.admitted -= 1
        release_when_idle()


IDLE_SECONDS = 1.0  # quiet this long after the last computation: memory goes back
_release: dict[str, asyncio.TimerHandle | None] = {"timer": None}
_released = {"count": 0}  # touched only on the event loop


def memory_releases() -> int:
    """How often this process has handed freed memory back after going idle."""
    return _released["count"]


def release_when_idle() -> None:
    """Once no lane has work for :data:`IDLE_SECONDS`, hand freed memory back to the OS.

    The engine keeps freed heap for speed while it computes (see
    :func:`gradtrail.heap.keep_freed_memory`); after a load a server should shrink.
    Streams a client dropped and computations that failed leave reference cycles
    (an exception's traceback holds its frames and their arrays), which only the
    cycle collector frees: it runs first, so their memory goes back too.
    """
    timer = _release["timer"]
    if timer is not None:
        timer.cancel()
    if any(lane.admitted for lane in LANES.values()):
        _release["timer"] = None
        return
    loop = asyncio.get_running_loop()
    _release["timer"] = loop.call_later(IDLE_SECONDS, release_if_still_idle)


def release_if_still_idle() -> None:
    _release["timer"] = None
    if not any(lane.admitted for lane in LANES.values()):
        gc.collect()
        release_freed_memory()
        _released["count"] += 1


def retry_after(lane: Lane) -> int:
    """Seconds to wait before trying again: more for a longer queue of heavier work."""
    per_item = 1.0 if lane.name == "small" else 5.0
    return max(1, math.ceil(per_item * lane.admitted / lane.threads))


async def watch_disconnect(request: Request, budget: Budget, every: float = 0.1) -> None:
    """Mark the budget abandoned as soon as the client of ``request`` goes away."""
    while not await request.is_disconnected():
        await asyncio.sleep(every)
    budget.abandoned.set()


@dataclass
class Admission:
    """A place in a lane, held from the request's admission to the end of its answer (a
    stream's last frame included), and the budget of the work done in it.

    The only way into the lanes: a route declares its work with :func:`admits` and
    computes through the :class:`Admission` it is given.
    """

    lane: Lane
    budget: Budget
    gzip: bool = False  # the client takes gzip: an answer is compressed where it is built

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` on one of the lane's threads; not begun once the budget is
        spent or its client has left."""
        return await self.lane.run(function, *args, budget=self.budget)

    async def bounded(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args, check)``: the engine calls ``check`` between chunks of work,
        which stops it at the deadline or once the client has left."""
        return await self.run(function, *args, self.budget.check)

    async def answer(
        self,
        build: Callable[..., str | bytes],
        *args: object,
        media_type: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The whole answer, built (encoded, rendered) and, for a client that takes it,
        gzipped on the lane's thread rather than the event loop (tens of MB of an export
        took the loop for seconds), and refused (422) when it passes the response cap."""
        body, gzipped = await self.run(built_within_cap, build, args, self.gzip)
        encoding = {"content-encoding": "gzip", "vary": "Accept-Encoding"} if gzipped else {}
        return Response(body, media_type=media_type, headers={**(headers or {}), **encoding})


class AnswerTooLarge(Exception):
    """An answer over ``max_response_bytes``: a 422 that says how to ask for less."""

    def __init__(self, size: float, limit: int, field: str = "steps") -> None:
        self.field = field
        super().__init__(
            f"the answer would be about {size / 2**20:.0f} MiB, over the {limit / 2**20:.0f} MiB"
            " limit (GRADTRAIL_MAX_RESPONSE_BYTES): ask for fewer steps or optimizers, record"
            " no state, or stream it (POST /api/runs/stream)"
        )


def check_answer_size(size: float) -> None:
    """:class:`AnswerTooLarge` when an answer of ``size`` bytes passes the cap."""
    limit = get_settings().max_response_bytes
    if size > limit:
        raise AnswerTooLarge(size, limit)


def built_within_cap(
    build: Callable[..., str | bytes], args: tuple[object, ...], gzip: bool
) -> tuple[bytes, bool]:
    """``build(*args)`` as bytes, checked against the cap (the estimate's backstop), and
    whether it was gzipped (when the client takes it and it is worth it)."""
    built = build(*args)
    body = built.encode() if isinstance(built, str) else built
    check_answer_size(len(body))
    if gzip and len(body) >= MINIMUM_SIZE:
        return compressed(body), True
    return body, False


async def nothing() -> float:
    """The cost or answer size of work too small to estimate (the small lane)."""
    return 0.0


def admits(
    cost: Callable[..., float] = nothing,
    answer: Callable[..., float] = nothing,
    stream: bool = False,
) -> Callable[..., AsyncIterator[Admission]]:
    """The dependency that admits a route's work: ``cost`` and ``answer`` are dependencies
    themselves (their parameters are the request's), giving the work's cost (its lane)
    and the answer's estimated bytes, both known before anything is computed.

    An answer estimated over the cap is a 422 at once; a full lane (or, for a ``stream``,
    ``max_streams`` open) a 503 with ``Retry-After`` at once. Once admitted, the route
    holds its place until its answer has been sent (a stream's until its end, however
    many frames it computes), and its budget stops the work at the deadline or when its
    client leaves.
    """

    async def admission(request: Request, work: float, size: float) -> AsyncIterator[Admission]:
        from gradtrail.app.limits import open_streams  # limits imports this module

        check_answer_size(size)
        if stream and open_streams() >= get_settings().max_streams:
            raise ServerBusy("streams", retry_after=2)
        async with admitted(work) as lane:
            budget = Budget(get_settings().deadline_seconds, gives_way=lane.gives_way)
            watcher = asyncio.create_task(watch_disconnect(request, budget))
            try:
                yield Admission(lane, budget, gzip=accepts_gzip(request.scope))
            finally:
                budget.abandoned.set()  # whatever is left of its work stops
                watcher.cancel()

    # FastAPI reads a dependency's parameters from its signature: these name the two
    # estimates as the dependencies they are.
    admission.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", KEYWORD, annotation=Request),
            inspect.Parameter("work", KEYWORD, annotation=Annotated[float, Depends(cost)]),
            inspect.Parameter("size", KEYWORD, annotation=Annotated[float, Depends(answer)]),
        ]
    )
    admission.admits = True  # type: ignore[attr-defined]  # what tests/app/test_admission.py finds
    return admission


KEYWORD = inspect.Parameter.KEYWORD_ONLY


def is_admission(call: object) -> bool:
    """Whether ``call`` is a dependency made by :func:`admits`."""
    return getattr(call, "admits", False) is True
