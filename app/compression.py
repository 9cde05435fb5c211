"""gzip for what the app answers: pages, JSON, exports; never an event stream."""

from __future__ import annotations

import gzip

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

# Below this an answer fits a packet or two, and gzip saves no round trip.
MINIMUM_SIZE = 1024
# Answers are compressed per request, on the cores that compute: a run's 6.5 MB of JSON
# numbers keeps 44 % of its bytes at level 1 in 75 ms, 42 % at zlib's default 6 in 420 ms;
# a page keeps a quarter either way. (The static files are gzipped once, at level 9.)
LEVEL = 1


def accepts_gzip(scope: Scope) -> bool:
    """Whether the request's client takes gzip (as the middleware reads it)."""
    return "gzip" in Headers(scope=scope).get("accept-encoding", "")


def compressed(body: bytes) -> bytes:
    """``body`` gzipped as the middleware would: for answers built on a compute thread,
    which then leave the middleware alone (they carry their ``content-encoding``)."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


class Compression(GZipMiddleware):
    """starlette's gzip middleware for every answer but the static files.

    It leaves ``text/event-stream`` alone (its default exclusions), so stream frames go
    out as they are made; the static files come gzipped from their own route, compressed
    once per file (:mod:`gradtrail.app.static_files`), with their own ``vary`` header.
    """

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
