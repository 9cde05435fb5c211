"""The connection layer under the app: read timeouts, a cap on open connections, and a
close that lets a client still sending its body read the answer.

uvicorn's httptools protocol (what ``uvicorn[standard]`` runs) has none of these. No
timer runs while a request's headers or body arrive: its keep-alive timer covers only
the idle time after a response, and any byte stops it. It takes every connection until
the process runs out of file descriptors, and then it cannot accept its health check.
A header block has no size limit, and a target over 65,535 bytes is a bare 400. An
answer sent before the body has arrived (a 413, a 503) is followed by a close with
unread bytes, which the kernel turns into a reset that destroys the answer on its way.

:class:`GuardedProtocol` adds them; ``gradtrail serve`` runs it, and its limits come from
the settings (``GRADTRAIL_HEADER_TIMEOUT``, ``…_BODY_TIMEOUT``, ``…_MAX_CONNECTIONS``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from functools import cache
from typing import Any

from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from gradtrail.app.jsonio import dumps, send_json
from gradtrail.app.settings import get_settings

try:
    import resource
except ImportError:  # Windows: no file-descriptor limit to fit in
    resource = None  # type: ignore[assignment]

# httptools keeps a URL's offsets in 16 bits, so it parses no longer request target; a
# longer one reaches the app shortened, marked with this ASGI scope extension.
MAX_TARGET_BYTES = 2**16 - 1
TARGET_TOO_LONG = "gradtrail.target_too_long"
TAIL_BYTES = 256  # kept of a too-long target's end, for its short parameters (?lang=)
SHORT_PARAMETER = 64  # bytes of a parameter kept from a too-long target
MAX_HEADER_BYTES = 16 * 1024  # the header block besides its target, as h11's default
FILES_PER_CONNECTION = 2  # its socket, and a file it may be sending (a static asset)
FILES_BESIDE = 64  # the process's own (about 16: the event loop, pipes, logs), and room

logger = logging.getLogger("uvicorn.error")
_open = {"connections": 0}  # changed only on the event loop
# Connections begin to wait for a request in this order (uvloop's clock reads the same
# for all the connections it accepts in one turn of the loop, so it cannot order them).
TURNS = itertools.count()


def open_connections() -> int:
    """Connections this process holds open now (0 unless served by :class:`GuardedProtocol`)."""
    return _open["connections"]


def room_for_connections(wanted: int, soft: int, hard: int) -> tuple[int, int]:
    """The connections that fit in a process's file descriptors, and the soft limit to ask
    for: raised toward the hard one as far as needed (as Go's runtime does), and where
    that is not enough, fewer connections, so the server never runs out of descriptors."""
    needed = FILES_PER_CONNECTION * wanted + FILES_BESIDE
    unlimited = resource.RLIM_INFINITY if resource else -1
    if soft == unlimited or soft >= needed:
        return wanted, soft
    raised = needed if hard == unlimited else min(needed, hard)
    return min(wanted, max(1, (raised - FILES_BESIDE) // FILES_PER_CONNECTION)), raised


@cache
def connection_cap() -> int:
    """``max_connections`` of this worker process, within its file descriptors."""
    wanted = get_settings().max_connections
    if resource is None:
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap, raised = room_for_connections(wanted, soft, hard)
    if raised != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            cap, _ = room_for_connections(wanted, soft, soft)
    if cap < wanted:
        logger.warning(
            "%d open files allowed: at most %d connections, not %d (GRADTRAIL_MAX_CONNECTIONS;"
            " raise the limit with ulimit -n or LimitNOFILE=)", soft, cap, wanted,
        )  # fmt: skip
    return cap


def answer(status: int, detail: str) -> bytes:
    """A whole JSON ``{"detail": …}`` response that closes its connection, as bytes."""
    body = dumps({"detail": detail})
    head = b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
    return STATUS_LINE[status] + head % len(body) + body


async def too_many_connections(scope: Any, receive: Any, send: Any) -> None:
    """The app of a connection over the cap while every other one has a request running."""
    detail = "the server has too many open connections; try again shortly"
    await send_json(send, 503, detail, [(b"retry-after", b"1")])


def shortened_target(prefix: bytes, tail: bytes) -> bytes:
    """A target too long to keep, as its path and the short parameters at either end
    (``?lang=`` of a long ``?spec=`` link), the rest dropped."""
    path, _, query = prefix.partition(b"?")
    ends = query.split(b"&")[:-1] + tail.split(b"&")[1:]  # whole ones: not cut by the ends
    short = b"&".join(part for part in ends if len(part) <= SHORT_PARAMETER)
    return path[:SHORT_PARAMETER] + b"?" + short  # a path that long names no page: a 414


class ReadClock(FlowControl):
    """uvicorn's flow control, restarting the body's read clock when the server resumes
    reading: a client held back by the server has not stalled."""

    def __init__(self, transport: asyncio.Transport, protocol: GuardedProtocol) -> None:
        super().__init__(transport)
        self.protocol = protocol

    def resume_reading(self) -> None:
        if self.read_paused:
            self.protocol.last_read = self.protocol.loop.time()
        super().resume_reading()


class LingeringClose:
    """The transport as a request's cycle sees it: closed after an answer while the client
    is still sending its body, the connection first only stops writing (RFC 9112 §9.6)."""

    def __init__(self, protocol: GuardedProtocol) -> None:
        self.protocol, self.transport = protocol, protocol.transport

    def write(self, data: bytes) -> None:
        self.transport.write(data)

    def is_closing(self) -> bool:
        return self.protocol.lingering or self.transport.is_closing()

    def close(self) -> None:
        self.protocol.close_after_answer()


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with read timeouts, a connection cap, bounded headers
    and a lingering close.

    - Headers: a new connection has ``header_timeout`` seconds to send its first request's
      line and headers, and a kept-alive one as long from a next request's first byte
      (uvicorn's keep-alive timer covers the wait before it); then a 408 and the close.
    - Body: it may pause up to ``body_timeout`` seconds between two reads (not while the
      server holds it back); then a 408, and the app sees the client leave.
    - Connections: past ``max_connections`` a new one closes the connection that has
      waited longest for a request (idle, or still sending headers); when every other one
      has a request running, the newcomer's request is a 503 with ``Retry-After``.
    - An answer given before the body has arrived closes the connection in stages: the
      server stops writing and reads on, discarding, until the client ends, pauses
      ``body_timeout`` or passes ``max_body_bytes``, so the client reads the answer.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings, self.cap = get_settings(), connection_cap()
        self.header_timer: asyncio.TimerHandle | None = None
        self.body_timer: asyncio.TimerHandle | None = None
        self.waiting_since: int | None = None  # for a request's headers, since (in turns)
        self.reading_headers = self.reading_body = self.lingering = False
        self.header_bytes = self.target_bytes = self.discarded = 0
        self.target_tail = b""
        self.last_read = 0.0

    # The connection
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        _open["connections"] += 1
        self.flow = ReadClock(transport, self)
        self.waiting_since = next(TURNS)
        self.header_timer = self.loop.call_later(self.settings.header_timeout, self.headers_late)
        self.admit()

    def connection_lost(self, exc: Exception | None) -> None:
        _open["connections"] -= 1
        for timer in (self.header_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def admit(self) -> None:
        """Keep the open connections within the cap (this one is the newest)."""
        if len(self.connections) <= self.cap:
            return
        others = [c for c in self.connections if c is not self and not c.transport.is_closing()]
        if len(others) < self.cap:
            return
        waiting = [c for c in others if getattr(c, "waiting_since", None) is not None]
        if waiting:
            min(waiting, key=lambda connection: connection.waiting_since).transport.close()
        else:
            self.app = too_many_connections

    def data_received(self, data: bytes) -> None:
        self.last_read = self.loop.time()
        if self.lingering:
            self.discarded += len(data)
            if self.discarded > self.settings.max_body_bytes:
                self.transport.close()
            return
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self.reading_headers:
            self.header_bytes += len(data)
            if self.header_bytes - self.target_bytes > MAX_HEADER_BYTES:
                detail = f"the request's headers are larger than {MAX_HEADER_BYTES:,} bytes"
                self.close_with(431, detail)
        elif self.reading_body and self.body_timer is None:
            self.body_timer = self.loop.call_later(self.settings.body_timeout, self.body_late)

    # The parser's callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.reading_headers = True
        self.header_bytes = self.target_bytes = 0
        self.target_tail = b""
        if self.header_timer is None:
            timeout = self.settings.header_timeout
            self.header_timer = self.loop.call_later(timeout, self.headers_late)

    def on_url(self, url: bytes) -> None:
        self.target_bytes += len(url)
        if len(self.url) < MAX_TARGET_BYTES:
            self.url += url[: MAX_TARGET_BYTES - len(self.url)]
        self.target_tail = (self.target_tail + url)[-TAIL_BYTES:]

    def on_headers_complete(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
        self.reading_headers, self.reading_body, self.waiting_since = False, True, None
        if self.target_bytes > MAX_TARGET_BYTES:
            self.url = shortened_target(self.url, self.target_tail)
            extensions = self.scope.setdefault("extensions", {})  # type: ignore[typeddict-item]
            extensions[TARGET_TOO_LONG] = {"length": self.target_bytes}
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = LingeringClose(self)  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        self.reading_body = False
        if self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self.lingering:  # no keep-alive: the connection closes once the client is done
            self.server_state.total_requests += 1
            return
        self.waiting_since = next(TURNS)
        super().on_response_complete()

    # Timeouts and closing
    def headers_late(self) -> None:
        """The request's headers did not arrive in time: a 408 if it had begun, and the close."""
        self.header_timer = None
        if self.reading_headers:
            self.close_with(408, "the request's headers did not arrive in time")
        else:
            self.transport.close()  # nothing was asked: the idle connection just ends

    def body_late(self) -> None:
        """The body paused longer than ``body_timeout``: a 408 unless the answer has begun,
        and the close; the app receives the client's departure."""
        self.body_timer = None
        if not self.reading_body or self.transport.is_closing():
            return
        now = self.loop.time()
        if self.flow.read_paused:
            self.last_read = now  # the server holds the client back
        waited = now - self.last_read
        if waited < self.settings.body_timeout:
            self.body_timer = self.loop.call_later(
                self.settings.body_timeout - waited, self.body_late
            )
            return
        if self.lingering:
            self.transport.close()
            return
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            self.transport.write(answer(408, "the request body did not arrive in time"))
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()

    def close_with(self, status: int, detail: str) -> None:
        self.transport.write(answer(status, detail))
        self.transport.close()

    def close_after_answer(self) -> None:
        """Close, or while the body is still arriving, stop writing and read on: a client
        that sends its whole body before it reads gets the answer, not a reset."""
        if self.lingering:
            return
        if (
            not self.reading_body
            or self.transport.is_closing()
            or not self.transport.can_write_eof()
        ):
            self.transport.close()
            return
        self.lingering = True
        self.transport.write_eof()  # once what is buffered, the answer, has gone
        self.flow.resume_reading()
        if self.body_timer is None:
            self.body_timer = self.loop.call_later(self.settings.body_timeout, self.body_late)
