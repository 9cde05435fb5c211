"""JSON in and out through orjson: numpy arrays natively, NaN/Infinity as null, bodies fast."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def dumps(content: Any) -> bytes:
    """Serialize ``content``; never emits NaN or Infinity (orjson writes them as null)."""
    return orjson.dumps(content, option=OPTIONS)


class OrjsonBodyRoute(APIRoute):
    """A route whose JSON body orjson decodes (several times faster than the standard
    library on a body of a million numbers), ahead of FastAPI's own validation."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def decode_then_handle(request: Request) -> Response:
            if request.method == "POST":
                body = await request.body()
                if not body:
                    return await handler(request)
                # Undecodable: FastAPI reads it again and reports it as a 422.
                with contextlib.suppress(orjson.JSONDecodeError):
                    request._json = orjson.loads(body)  # what request.json() returns
            return await handler(request)

        return decode_then_handle
