"""Where the numerics run: worker threads, at most a few at once.

The engine's per-run work is pure Python and holds the GIL, so more threads than
cores only add switching: capping them keeps the event loop responsive and lets
each computation finish sooner (tests/perf/bench_api.py measures the effect).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio

T = TypeVar("T")
WORKERS = anyio.CapacityLimiter(2)


async def compute(function: Callable[..., T], *args: object) -> T:
    """Run ``function(*args)`` in a worker thread, waiting for a free one."""
    return await anyio.to_thread.run_sync(function, *args, limiter=WORKERS)
