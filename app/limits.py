"""ASGI middleware for limits enforced outside the routes: body size, stalled streams, and
targets too long to read."""

from __future__ import annotations

from collections.abc import Collection

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gradtrail.app.compute import release_when_idle
from gradtrail.app.connections import MAX_TARGET_BYTES, TARGET_TOO_LONG
from gradtrail.app.jsonio import send_json


def too_large_detail(limit: int) -> str:
    """The 413's ``detail``, naming the configured limit."""
    return (
        f"the request body is larger than the limit of {limit:,} bytes (GRADTRAIL_MAX_BODY_BYTES)"
    )


_bodies = {"large": 0}  # large bodies holding a place now; changed only on the event loop


def large_bodies() -> int:
    """Large request bodies this process is reading or handling now."""
    return _bodies["large"]


class BodyLimits:
    """Request bodies: none over the limit, and few large ones in memory at once.

    A body announced (``Content-Length``) above the limit is a JSON 413 before it
    is read; a chunked one is counted while it is read and refused the same way.
    A large body (over ``large`` bytes, or chunked) needs one of ``slots`` places
    while its request runs, since its decoded numbers take many times its size;
    ``waiting`` more may wait for one, and past that it is a 503 at once.
    """

    def __init__(self, app: ASGIApp, limit: int, large: int, slots: int, waiting: int) -> None:
        self.app, self.limit, self.large = app, limit, large
        self.slots, self.waiting = anyio.Semaphore(slots), waiting
        self.queued = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await send_json(send, 413, too_large_detail(self.limit))
            return
        if length.isdigit() and int(length) <= self.large:
            await self.limited(scope, receive, send)
            return
        if self.slots.value == 0 and self.queued >= self.waiting:
            detail = "the server is busy reading other large request bodies; try again shortly"
            await send_json(send, 503, detail, [(b"retry-after", b"2")])
            return
        self.queued += 1
        try:
            await self.slots.acquire()
        finally:
            self.queued -= 1
        _bodies["large"] += 1
        try:
            await self.limited(scope, receive, send)
        finally:
            _bodies["large"] -= 1
            self.slots.release()

    async def limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request, its body counted and refused with a 413 once over the limit."""
        received, refused = 0, False

        async def counted_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    if not refused:
                        refused = True
                        await send_json(send, 413, too_large_detail(self.limit))
                    return {"type": "http.disconnect"}  # the app stops reading
            return message

        async def watched_send(message: Message) -> None:
            if not refused:  # after the 413 nothing else goes out
                await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not refused:
                raise  # an error of the app's own; the 413 already answered this one


class LongTargets:
    """A request whose target was too long to read whole (the connection layer marks it)
    is a 414, in JSON; a page's (GET or HEAD of ``pages``) goes on to the page, which says
    in the reader's language how to open the view another way."""

    def __init__(self, app: ASGIApp, pages: Collection[str]) -> None:
        self.app, self.pages = app, pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        marked = scope["type"] == "http" and TARGET_TOO_LONG in scope.get("extensions", {})
        if marked and not (scope["method"] in ("GET", "HEAD") and scope["path"] in self.pages):
            detail = f"the request's target is longer than {MAX_TARGET_BYTES:,} bytes"
            await send_json(send, 414, detail)
            return
        await self.app(scope, receive, send)


_open = {"streams": 0}  # changed only on the event loop


def open_streams() -> int:
    """Event streams this process is sending now."""
    return _open["streams"]


class StreamStalled(Exception):
    """A stream's reader took no data for longer than the write timeout."""


BROKEN_CHANNEL = (anyio.BrokenResourceError, anyio.ClosedResourceError)


def ended_by_its_reader(error: BaseException) -> bool:
    """Whether ``error`` holds nothing but what a stream's reader leaves when it stalls
    (:class:`StreamStalled`) or leaves: the event stream's other tasks, FastAPI's keep-alive
    pings among them, finding their channel broken (fastapi/fastapi discussion #15725).
    Anything else is a real error."""
    if isinstance(error, BaseExceptionGroup):
        return error.split((StreamStalled, *BROKEN_CHANNEL))[1] is None
    return isinstance(error, StreamStalled)


class StreamGuard:
    """Counts the open event streams and closes one whose reader stops reading.

    Without the write timeout a stalled reader holds its stream, and the buffers
    behind it, for as long as the connection stays open.
    """

    def __init__(self, app: ASGIApp, write_timeout: float) -> None:
        self.app, self.write_timeout = app, write_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        streaming = reader_gone = False

        async def watched_receive() -> Message:
            nonlocal reader_gone
            message = await receive()
            reader_gone = reader_gone or message["type"] == "http.disconnect"
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal streaming, reader_gone
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/event-stream"):
                    streaming = True
                    _open["streams"] += 1
            if streaming and message["type"] == "http.response.body":
                with anyio.move_on_after(self.write_timeout) as timer:
                    await send(message)
                if timer.cancelled_caught:
                    reader_gone = True
                    raise StreamStalled
            else:
                await send(message)

        try:
            await self.app(scope, watched_receive, guarded_send)
        except BaseException as error:
            if not (reader_gone and ended_by_its_reader(error)):
                raise
            # The server closes the connection of a response left unfinished.
        finally:
            if streaming:
                _open["streams"] -= 1
                release_when_idle()  # a dropped stream leaves garbage behind
