"""One server for a whole class, tried from outside: bounded work, admission, stalls, limits.

Each test starts a real ``gradtrail serve`` with the settings it needs and talks to
it over loopback, as sixty students and one mischievous one would.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

import anyio
import httpx
import pytest

from gradtrail.app.limits import StreamStalled, ended_by_its_reader
from tests.conftest import SERVED, SIGNAL_SECONDS, at_once, eventually, health, serving, timed

pytestmark = pytest.mark.load  # servers of their own, with the settings each needs, under load

# The largest sweep the limits allow (20 M optimizer steps).
MAX_SWEEP = {
    "surface": {"id": "rosenbrock"},
    "optimizer": {"id": "adam"},
    "steps": 500,
    "axes": [{"name": "lr", "low": 0.001, "high": 0.1, "count": 200, "scale": "log"},
             {"name": "betas[0]", "low": 0.5, "high": 0.99, "count": 200}],
}  # fmt: skip
SMALL_RUN = {"surface": {"id": "beale"}, "steps": 50, "optimizers": [{"id": "gd"}]}
# The largest run a spec allows, on a typed formula: several seconds of work here.
BIG_RUN = {"surface": {"id": "custom",
                       "expression": "(1 - x)^2 + 100*(y - x^2)^2 + sin(x*y) + cos(x - y)/9"},
           "start": [-1.5, 2.0], "steps": 20_000, "stop": {"grad_tol": 0},
           "optimizers": [{"id": "adam", "params": {"lr": 1e-4}}] * 16}  # fmt: skip
# As large an answer (24 MB of JSON, the same frames streamed), sooner: a built-in surface.
BIG_ANSWER = {**BIG_RUN, "surface": {"id": "rosenbrock"}}


def test_a_nested_formula_compiles_at_once(live_server: str) -> None:
    """sin(arctan(…)) 11 deep took 50 s and 20 deep never finished; both are quick now."""
    base = live_server
    _, quick = timed(lambda: httpx.post(f"{base}/api/formula", json={"expression": "x+y"}))
    for depth in (11, 14, 19):
        text = "sin(arctan(" * depth + "x" + "))" * depth + " + y^2"  # 19: the deepest
        answer, took = timed(
            lambda text=text: httpx.post(
                f"{base}/api/formula", json={"expression": text}, timeout=10
            )
        )
        assert answer.status_code == 200
        assert at_once(took, quick), (took, quick)
        spec = {"surface": {"id": "custom", "expression": text}, "steps": 200,
                "optimizers": [{"id": "adam"}]}  # fmt: skip
        assert httpx.post(f"{base}/api/runs", json=spec, timeout=10).status_code == 200


def test_a_full_lane_answers_503_at_once_and_small_runs_are_not_starved() -> None:
    # The big run's deadline is not what is tested: it may pass 30 s on a loaded machine.
    with serving(queue_large="0", large_cost="10000", deadline_seconds="600") as base:
        _, quick = timed(lambda: httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=30))
        answers: list[httpx.Response] = []

        def big() -> None:
            answers.append(httpx.post(f"{base}/api/runs", json=BIG_RUN, timeout=600))

        first = threading.Thread(target=big)
        first.start()
        assert eventually(lambda: health(base)["compute"]["large"]["running"] > 0)
        for path, body in (("/api/runs", BIG_RUN), ("/api/sweeps", MAX_SWEEP)):
            refused, took = timed(
                lambda path=path, body=body: httpx.post(f"{base}{path}", json=body, timeout=60)
            )
            assert at_once(took, quick), (took, quick)
            assert refused.status_code == 503
            assert int(refused.headers["retry-after"]) >= 1
            assert "busy" in refused.json()["detail"]
        small, took = timed(lambda: httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=30))
        assert small.status_code == 200
        assert at_once(took, quick), (took, quick)  # not queued behind the big run
        first.join()
        assert answers[0].status_code == 200


def test_a_large_computation_gives_way_while_a_small_one_runs() -> None:
    """The lanes' threads share one interpreter lock: a large stream computing beside a
    small run would halve the small run's speed. It waits between its frames instead:
    while the small run computes, the large stream's frame count stands still, and it
    moves again once the small run is done. Times are shares of the small run's own."""
    medium = {"surface": {"id": "rosenbrock"}, "steps": 20_000, "stop": {"grad_tol": 0},
              "optimizers": [{"id": "adam", "params": {"lr": 1e-4}}] * 16}  # fmt: skip
    # BIG_RUN (533,333) is large, medium not; the deadline is not what is tested (the large
    # stream, waiting its turn, passed 30 s on a loaded machine and ended).
    with serving(large_cost="400000", deadline_seconds="600") as base:
        enough = threading.Event()  # set once the test has seen what it asserts

        def read_big_stream() -> None:  # until the test has seen enough: then it leaves
            with httpx.stream("POST", f"{base}/api/runs/stream", json=BIG_RUN, timeout=60) as s:
                for _ in s.iter_lines():
                    if enough.is_set():
                        break

        def frames() -> int:
            return health(base)["frames_computed"]

        big = threading.Thread(target=read_big_stream)
        big.start()
        try:
            assert eventually(lambda: frames() > 0), "the large stream did not start"
            answers: list[httpx.Response] = []
            small = threading.Thread(
                target=lambda: answers.append(
                    httpx.post(f"{base}/api/runs", json=medium, timeout=600)
                )
            )
            small.start()
            # The frame count, read in the same answers that say the small run is computing.
            assert eventually(lambda: health(base)["compute"]["small"]["running"] > 0)
            seen = []
            while (answer := health(base))["compute"]["small"]["running"]:
                seen.append(answer["frames_computed"])
            small.join()
            after = frames()
            resumed = eventually(lambda: frames() > after)
        finally:
            enough.set()
            big.join()
        assert answers[0].status_code == 200
        assert len(seen) > 1, "the small run ended before its computing could be watched"
        during = seen[-1] - seen[0]  # a frame under way when the small run came may end
        assert during <= 1, f"the large stream computed {during} frames beside the small run"
        assert resumed, "the large stream did not go on after the small run"


def wait_idle(base: str, seconds: float) -> bool:
    """Whether every compute lane of the server is idle within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(lane["running"] == 0 for lane in health(base)["compute"].values()):
            return True
        time.sleep(0.05)
    return False


def test_work_stops_when_its_client_leaves() -> None:
    """A client that gives up after a fifth of the run's time leaves the server idle well
    before the run would have finished: every duration is a share of the measured whole,
    so the test holds on a faster machine too (a fixed 1.5 s floor failed in CI at 1.46 s).
    The deadline is not what is tested: the whole run may pass 30 s on a loaded machine."""
    with serving(deadline_seconds="600") as base:
        began = time.perf_counter()
        assert httpx.post(f"{base}/api/runs", json=BIG_RUN, timeout=600).status_code == 200
        whole = time.perf_counter() - began
        link = base64.urlsafe_b64encode(json.dumps(BIG_RUN).encode()).decode().rstrip("=")
        for call in (
            lambda: httpx.post(f"{base}/api/runs", json=BIG_RUN, timeout=whole / 5),
            lambda: httpx.get(f"{base}/export?spec={link}", timeout=whole / 5),
        ):
            began = time.perf_counter()
            with pytest.raises(httpx.TimeoutException):
                call()
            assert wait_idle(base, whole), (
                "still computing a whole run's time after its client left"
            )
            stopped = time.perf_counter() - began
            assert stopped < whole / 2, (
                f"idle {stopped:.2f} s after the call began; a run takes {whole:.2f} s"
            )


def test_a_computation_past_its_deadline_is_a_503() -> None:
    with serving(deadline_seconds="0.3") as base:
        answer = httpx.post(f"{base}/api/runs", json=BIG_RUN, timeout=30)
        assert answer.status_code == 503
        assert "deadline" in answer.json()["detail"]
        assert httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=10).status_code == 200


def test_a_costly_formula_counts_in_the_sweep_limit(live_server: str) -> None:
    text = "+".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 12))
    spec = {**MAX_SWEEP, "surface": {"id": "custom", "expression": text}, "steps": 400}
    base = live_server
    answer = httpx.post(f"{base}/api/sweeps", json=spec, timeout=30)
    assert answer.status_code == 422
    assert "formula" in answer.json()["detail"][0]["msg"]


def test_an_answer_over_the_response_budget_is_a_422_that_says_to_stream(live_server: str) -> None:
    spec = {**BIG_RUN, "record": ["state"]}
    base = live_server
    answer = httpx.post(f"{base}/api/runs", json=spec, timeout=30)
    assert answer.status_code == 422
    detail = answer.json()["detail"][0]
    assert detail["loc"] == ["body", "steps"] and "stream" in detail["msg"]


def open_stalled_stream(base: str, body: dict) -> socket.socket:
    """A stream request whose reader never reads."""
    address = urlparse(base)
    connection = socket.create_connection((address.hostname, address.port))
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    payload = json.dumps(body).encode()
    connection.sendall(
        b"POST /api/runs/stream HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
        + f"content-length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    return connection


@contextmanager
def stalled_streams(base: str, count: int) -> Iterator[list[socket.socket]]:
    """``count`` streams of a large answer whose readers never read, closed on leaving
    however the test ends (an open socket left behind is a ResourceWarning, an error
    here, in whichever test the collector happens to find it)."""
    with ExitStack() as sockets:
        yield [sockets.enter_context(open_stalled_stream(base, BIG_ANSWER)) for _ in range(count)]


def open_streams(base: str) -> int:
    return health(base)["open_streams"]


def test_stalled_streams_are_closed_and_streams_are_capped() -> None:
    with serving(stream_write_timeout="1", max_streams="2") as base:
        with stalled_streams(base, 2):
            assert eventually(lambda: open_streams(base) == 2), open_streams(base)
            refused = httpx.post(f"{base}/api/runs/stream", json=SMALL_RUN, timeout=10)
            assert refused.status_code == 503 and "retry-after" in refused.headers
            # Each is closed a second after its buffers fill, which may take a while loaded.
            assert eventually(lambda: open_streams(base) == 0), open_streams(base)
        assert httpx.post(f"{base}/api/runs/stream", json=SMALL_RUN, timeout=10).status_code == 200
        output = SERVED[base].output()
        assert "Traceback" not in output, output  # closing a stalled stream is no error


def rss_mb(pid: int) -> float:
    """A process's resident memory, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return kib / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux only)")
def test_memory_goes_back_after_a_load() -> None:
    """Large answers, then streams whose readers stall and are closed: once idle, the
    server's memory falls back near where it was before (dropped streams leave reference
    cycles that hold their arrays until the cycle collector runs)."""
    # Its deadline is not what is tested: a large answer may take minutes on a loaded machine.
    # Four maximal runs stream at once in the small lane (two threads and a long queue).
    with serving(stream_write_timeout="1", deadline_seconds="600", large_cost="1e6") as base:
        pid = health(base)["pid"]
        for _ in range(2):
            assert httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=30).status_code == 200
            httpx.post(f"{base}/api/runs/stream", json=SMALL_RUN, timeout=30)
        assert eventually(lambda: health(base)["memory_releases"] > 0)
        warm = rss_mb(pid)
        # 24 MB of JSON (a second one grew the server no further), then the largest sweep.
        assert httpx.post(f"{base}/api/runs", json=BIG_ANSWER, timeout=600).status_code == 200
        assert httpx.post(f"{base}/api/sweeps", json=MAX_SWEEP, timeout=600).status_code == 200
        with stalled_streams(base, 4):
            # All four open (small work: two threads and a long queue), then each closed a
            # second after its buffers fill.
            assert eventually(lambda: open_streams(base) == 4), open_streams(base)
            assert eventually(lambda: open_streams(base) == 0), open_streams(base)
        loaded = rss_mb(pid)
        # The server gives memory back once it has been idle a second.
        assert eventually(lambda: rss_mb(pid) - warm < 40), (
            f"{warm:.0f} MB before the load, {loaded:.0f} MB after it, {rss_mb(pid):.0f} MB now"
        )


def test_413_is_json_either_way_and_health_answers_head() -> None:
    with serving(max_body_bytes="2048") as base:
        body = json.dumps({**SMALL_RUN, "label": "x" * 4000}).encode()
        announced = httpx.post(f"{base}/api/runs", content=body,
                               headers={"content-type": "application/json"})  # fmt: skip

        def chunks():  # no Content-Length: the body is chunked
            yield body[:1000]
            yield body[1000:]

        chunked = httpx.post(f"{base}/api/runs", content=chunks(),
                             headers={"content-type": "application/json"})  # fmt: skip
        for answer in (announced, chunked):
            assert answer.status_code == 413
            assert answer.headers["content-type"].startswith("application/json")
            assert "2,048 bytes" in answer.json()["detail"]
        assert httpx.head(f"{base}/api/health").status_code == 200
        assert health(base)["pid"] > 0


def test_large_bodies_wait_for_a_slot_and_past_the_queue_are_a_503() -> None:
    with serving(large_body_bytes="1024", large_bodies="1", queue_large_bodies="0") as base:
        body = json.dumps(SMALL_RUN) + " " * 1500  # large, and still a small run

        finish = threading.Event()  # the slow body's rest goes once the test has its answers

        def slowly():  # chunked: a large body, its rest sent once the test lets it
            yield body[:100].encode()
            finish.wait(SIGNAL_SECONDS)
            yield body[100:].encode()

        answers: list[httpx.Response] = []
        headers = {"content-type": "application/json"}
        slow = threading.Thread(
            target=lambda: answers.append(
                httpx.post(f"{base}/api/runs", content=slowly(), headers=headers, timeout=600)
            )
        )
        slow.start()
        try:
            assert eventually(lambda: health(base)["large_bodies"] == 1)  # it holds the place
            refused = httpx.post(f"{base}/api/runs", content=body, headers=headers, timeout=30)
            small = httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=30)
        finally:
            finish.set()
            slow.join()
        assert refused.status_code == 503 and refused.headers["retry-after"]
        assert small.status_code == 200  # a small body needs no slot
        assert answers[0].status_code == 200
        assert health(base)["large_bodies"] == 0  # its place given back with its answer


def test_only_a_reader_that_stalls_or_leaves_ends_a_stream_quietly() -> None:
    """What a stalled or departed reader leaves (the stall, the keep-alive task's broken
    channel) ends a stream without an error in the log; any other error in the same task
    group is still raised, for uvicorn to log."""
    broken = anyio.BrokenResourceError()
    assert ended_by_its_reader(StreamStalled())
    assert ended_by_its_reader(ExceptionGroup("stream", [StreamStalled(), broken]))
    assert ended_by_its_reader(ExceptionGroup("left", [broken]))
    assert ended_by_its_reader(ExceptionGroup("outer", [ExceptionGroup("inner", [broken])]))
    assert not ended_by_its_reader(ExceptionGroup("stream", [StreamStalled(), ValueError()]))
    assert not ended_by_its_reader(ValueError())
    assert not ended_by_its_reader(broken)  # outside a stream's task group: not its own


def test_maximal_sweep_streams_take_a_few_places_and_the_rest_are_503_at_once() -> None:
    """250 maximal sweep streams once all got in (2.2 GB, every one past its deadline, and
    health's ``waiting`` at −1): a stream now holds a place in its lane from its first step
    to its end, so a few are admitted, the rest refused at once, and a small run sent
    meanwhile is answered at once; once their clients leave nothing more is computed."""
    count = 40  # scaled down from 250: the large lane has 1 thread and a queue of 2
    with serving(max_streams="64", queue_large="2") as base:
        _, quick = timed(lambda: httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=30))
        statuses: list[tuple[int, float]] = []
        leave = threading.Event()
        lane_seen: list[dict] = []
        # One client for all (a client of its own per request spends ~70 ms of this
        # process's interpreter lock making its TLS context: forty of them, seconds).
        students = httpx.Client(limits=httpx.Limits(max_connections=count), timeout=60)

        def sweep_stream() -> None:
            began = time.perf_counter()
            with students.stream("POST", f"{base}/api/sweeps/stream", json=MAX_SWEEP) as response:
                statuses.append((response.status_code, time.perf_counter() - began))
                if response.status_code == 200:
                    leave.wait(60)  # holds its stream open until the test lets go

        clients = [threading.Thread(target=sweep_stream) for _ in range(count)]
        try:  # the streams are let go and the client closed however the test ends
            for client in clients:
                client.start()
            assert eventually(lambda: len(statuses) == count)
            small, took = timed(lambda: httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=30))
            for _ in range(10):
                lane_seen.append(health(base)["compute"]["large"])
        finally:
            leave.set()
            for client in clients:
                if client.is_alive():
                    client.join()
            students.close()
        admitted = [took for status, took in statuses if status == 200]
        refused = [took for status, took in statuses if status == 503]
        assert 1 <= len(admitted) <= 3 and len(refused) == count - len(admitted), statuses
        assert all(at_once(seconds, quick) for seconds in refused), (refused, quick)
        assert small.status_code == 200 and at_once(took, quick), (took, quick)
        assert all(lane["waiting"] >= 0 and lane["running"] <= 1 for lane in lane_seen)
        assert eventually(lambda: health(base)["open_streams"] == 0)
        assert wait_idle(base, SIGNAL_SECONDS)
        settled = health(base)["frames_computed"]
        assert eventually(lambda: health(base)["compute"]["large"]["waiting"] == 0)
        assert health(base)["frames_computed"] == settled  # nothing after the clients left
        for answer in (health(base),):
            assert all(lane["waiting"] >= 0 for lane in answer["compute"].values())


def link_of(spec: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(spec).encode()).decode().rstrip("=")


# The 439-byte spec of issue #35: its export was 88-90 MiB, built on the event loop.
RECORDED_BIG_RUN = {**BIG_RUN, "record": ["state"]}


def test_an_oversized_export_embed_or_player_is_a_422_at_once(live_server: str) -> None:
    base = live_server
    _, quick = timed(lambda: httpx.post(f"{base}/api/runs", json=SMALL_RUN, timeout=30))
    link = link_of(RECORDED_BIG_RUN)
    calls = [
        lambda: httpx.get(f"{base}/export?spec={link}", timeout=30),
        lambda: httpx.get(f"{base}/embed?spec={link}", timeout=30),
        lambda: httpx.post(f"{base}/export", json=RECORDED_BIG_RUN, timeout=30),
        lambda: httpx.post(f"{base}/api/player", json=RECORDED_BIG_RUN, timeout=30),
        lambda: httpx.post(f"{base}/api/runs", json=RECORDED_BIG_RUN, timeout=30),
    ]
    frames_before = health(base)["frames_computed"]
    for call in calls:
        answer, took = timed(call)
        assert answer.status_code == 422, answer.text[:200]
        message = answer.json()["detail"][0]["msg"]
        assert "GRADTRAIL_MAX_RESPONSE_BYTES" in message and "MiB" in message
        assert "fewer steps" in message and "stream" in message
        assert at_once(took, quick), (took, quick)
    assert all(lane["running"] == 0 for lane in health(base)["compute"].values())
    assert health(base)["frames_computed"] == frames_before


def test_an_export_is_built_off_the_event_loop() -> None:
    """A large export allowed by the cap (16 runs × 20,000 steps, about 25 MB of HTML)
    took the event loop for 8 s while it was written; now it is run and written on a
    compute thread, and health answers meanwhile in a small share of the export's time."""
    spec = {**BIG_RUN, "surface": {"id": "rosenbrock"}}  # as large an answer, sooner
    with serving(deadline_seconds="600") as base:
        link = link_of(spec)
        took: list[float] = []
        sizes: list[int] = []

        def export() -> None:
            answer, seconds = timed(lambda: httpx.get(f"{base}/export?spec={link}", timeout=600))
            took.append(seconds)
            assert answer.status_code == 200, answer.text[:300]
            sizes.append(len(answer.content))

        worker = threading.Thread(target=export)
        worker.start()
        lanes = lambda: health(base)["compute"].values()  # noqa: E731
        assert eventually(lambda: any(lane["running"] for lane in lanes()))
        latencies = []
        while worker.is_alive():
            _, seconds = timed(lambda: health(base))
            latencies.append(seconds)
        worker.join()
        assert sizes and sizes[0] > 10 * 2**20, sizes
        assert len(latencies) > 3, (latencies, took)
        assert max(latencies) < took[0] / 4, (max(latencies), took)
