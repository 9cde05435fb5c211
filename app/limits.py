"""ASGI middleware for limits enforced outside the routes: body size and stalled streams."""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gradtrail.app.jsonio import dumps


def too_large_detail(limit: int) -> str:
    """The 413's ``detail``, naming the configured limit."""
    return (
        f"the request body is larger than the limit of {limit:,} bytes (GRADTRAIL_MAX_BODY_BYTES)"
    )


class BodyTooLarge:
    """A body announced (``Content-Length``) above the limit is a JSON 413 before it is read.

    A chunked body is counted while it is read and refused the same way once it
    passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self.refuse(send)
            return
        received, refused = 0, False

        async def counted_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    if not refused:
                        refused = True
                        await self.refuse(send)
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

    async def refuse(self, send: Send) -> None:
        body = dumps({"detail": too_large_detail(self.limit)})
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]  # fmt: skip
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


_open = {"streams": 0}  # changed only on the event loop


def open_streams() -> int:
    """Event streams this process is sending now."""
    return _open["streams"]


class StreamStalled(Exception):
    """A stream's reader took no data for longer than the write timeout."""


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
        streaming = False

        async def guarded_send(message: Message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/event-stream"):
                    streaming = True
                    _open["streams"] += 1
            if streaming and message["type"] == "http.response.body":
                with anyio.move_on_after(self.write_timeout) as timer:
                    await send(message)
                if timer.cancelled_caught:
                    raise StreamStalled
            else:
                await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except StreamStalled:
            return  # the server closes the connection of a response left unfinished
        finally:
            if streaming:
                _open["streams"] -= 1
