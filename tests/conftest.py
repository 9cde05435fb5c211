"""Fixtures shared by every test package: an HTTP client and a real uvicorn server."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import httpx
import pytest
from fastapi.testclient import TestClient

from gradtrail.app.main import create_app

T = TypeVar("T")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
# The longest any test waits for a signal (a server's answer or health counter, the page's
# data-run): a limit only a broken server or page reaches. A signal that comes is waited
# for no longer than it takes, so a loaded machine needs no shorter or longer limits.
SIGNAL_SECONDS = 120


# The longest test files, first: pytest-xdist hands whole files to its workers in the
# order collected (--dist loadfile), and a long one handed out last ran on alone while the
# other worker idled (a CI run's last 9 % took 5 of its 12 minutes). Their sums in that
# run: the UI fuzz 295 s, the language walks 158 s, the page 87 s, the screens 73 s, the
# API fuzz 59 s.
LONGEST_FIRST = (
    "browser/test_ui_fuzz.py",
    "browser/test_language.py",
    "browser/test_page.py",
    "browser/test_screens.py",
    "app/test_fuzz.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of :data:`LONGEST_FIRST` before the rest (each keeps its own order)."""

    def rank(item: pytest.Item) -> int:
        path = Path(str(item.fspath)).as_posix()
        return next(
            (at for at, name in enumerate(LONGEST_FIRST) if path.endswith(name)),
            len(LONGEST_FIRST),
        )

    items.sort(key=rank)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The last run's screenshots go, once: not again in each of pytest-xdist's workers,
    which would remove what the others have taken."""
    if not hasattr(session.config, "workerinput") and SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """httpx against the ASGI app, in process."""
    with TestClient(create_app()) as test_client:
        yield test_client


def run_async(coroutine: Coroutine[object, object, T]) -> T:
    """``asyncio.run(coroutine)`` in a thread of its own: in a pytest-xdist worker a browser
    test may have run first, and Playwright's sync API leaves an event loop running in the
    test's thread, where ``asyncio.run`` is refused."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    """A running server: its process, and the file that takes what it prints."""

    process: subprocess.Popen
    log: IO[bytes]

    def output(self) -> str:
        """Everything the server has printed so far (read without moving the offset that
        the server's writes share)."""
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")


SERVED: dict[str, Served] = {}  # the running servers, by base URL


@contextmanager
def serving(*options: str, **settings: str) -> Iterator[str]:
    """A real ``gradtrail serve`` process on a free loopback port, with more command-line
    ``options`` (``"--workers", "2"``) and ``GRADTRAIL_*`` settings
    (``deadline_seconds="1"``); yields its base URL. :data:`SERVED` holds its process and
    output."""
    port = free_port()
    command = [sys.executable, "-m", "gradtrail", "serve", "--port", str(port), *options]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **{f"GRADTRAIL_{name.upper()}": value for name, value in settings.items()}}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        SERVED[base] = Served(process, log)
        try:
            wait_until_up(base, process, log)
            yield base
        finally:
            del SERVED[base]
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """A real ``gradtrail serve`` process on a free loopback port; yields its base URL."""
    with serving() as base:
        yield base


def health(base: str) -> dict:
    """The server's ``/api/health`` answer: its load, open streams, frames computed."""
    return httpx.get(f"{base}/api/health", timeout=10).json()


def computing(base: str) -> bool:
    """Whether any of the server's compute lanes is running something."""
    return any(lane["running"] for lane in health(base)["compute"].values())


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """What ``call()`` returns, and the seconds it took."""
    began = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - began


def at_once(seconds: float, quick: float) -> bool:
    """Whether ``seconds`` is "at once" beside ``quick``, the time the same server took
    for a trivial request in the same test: under a second, or on a machine slow enough
    that a trivial request takes over 50 ms, under twenty of those."""
    return seconds < max(1.0, 20 * quick)


def eventually(condition: Callable[[], bool], seconds: float = SIGNAL_SECONDS) -> bool:
    """Whether ``condition()`` holds within ``seconds``, asked again and again: a wait on
    what the server says, whose limit is only there so a broken server fails the test."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wait_until_up(base: str, process: subprocess.Popen, log: IO[bytes]) -> None:
    """Poll the health endpoint until it answers; fail with the server's log if it dies.
    The signal is the answer; the limit only stops a server that hangs from hanging the
    suite (20 s was passed on a loaded 2-core machine, with the server still starting)."""
    deadline = time.monotonic() + SIGNAL_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    log.seek(0)
    raise RuntimeError(f"the server did not start: {log.read().decode()[-2000:]}")
