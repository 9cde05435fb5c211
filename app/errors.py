"""Errors in FastAPI's usual 422 shape, so a client parses every failure the same way."""

from __future__ import annotations

import math

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from gradtrail import SpecError
from gradtrail.app.compute import AnswerTooLarge, ClientGone, DeadlineExceeded, ServerBusy
from gradtrail.app.routers.pages import link_too_long
from gradtrail.app.urlspec import LinkTooLong


def spec_error_body(error: SpecError) -> dict:
    """A spec that validated but cannot run, as a ``detail`` list naming the field."""
    location = ["body", *error.field.split(".")]
    item = {"loc": location, "msg": error.message, "type": error.kind}
    if error.context:
        item["ctx"] = error.context
    return {"detail": [item]}


def plain_context(context: dict | None) -> dict[str, str | int | float | bool]:
    """An error's context with only what JSON holds as it is (no exception objects)."""
    plain = (str, int, float, bool)
    return {
        k: v
        for k, v in (context or {}).items()
        if isinstance(v, plain) and not (isinstance(v, float) and not math.isfinite(v))
    }


async def spec_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SpecError)
    return JSONResponse(spec_error_body(error), status_code=422)


# A body of thousands of bad items (every sample of a data set, under each form of a union)
# is told its first faults, and how many more, not a list as large as the body.
FAULTS_TOLD = 100


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 without echoing the input back (a bad large body stays on our side)."""
    assert isinstance(error, RequestValidationError)
    detail: list[dict] = []
    seen: set[bytes] = set()
    for item in error.errors():
        entry = {"loc": list(item["loc"]), "msg": str(item["msg"]), "type": str(item["type"])}
        if context := plain_context(item.get("ctx")):
            entry["ctx"] = context  # the bounds of a range: a page says them in its language
        # A body that fails validation is not cached for the next dependency that reads
        # it (the route's and its admission's estimates), so FastAPI reports it once for
        # each: a person is told each fault once (by a set: a list's `in` was quadratic,
        # 6.6 s for a body of 5,000 bad samples).
        key = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
        if key not in seen:
            seen.add(key)
            detail.append(entry)
    if len(detail) > FAULTS_TOLD:
        more = len(detail) - FAULTS_TOLD
        told = {"loc": ["body"], "msg": f"and {more} more faults", "type": "more_faults",
                "ctx": {"more": more}}  # fmt: skip
        detail = [*detail[:FAULTS_TOLD], told]
    return JSONResponse({"detail": detail}, status_code=422)


async def http_error_handler(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own errors, except a body it could not decode: that is a 422 like bad JSON."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        detail = [{"loc": ["body"], "msg": "the body is not valid JSON", "type": "json_invalid"}]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse(
        {"detail": error.detail}, status_code=error.status_code, headers=error.headers
    )


async def busy_handler(request: Request, error: Exception) -> JSONResponse:
    """A full queue: 503 at once, with when to try again."""
    assert isinstance(error, ServerBusy)
    headers = {"retry-after": str(error.retry_after)}
    return JSONResponse({"detail": str(error)}, status_code=503, headers=headers)


async def too_large_handler(request: Request, error: Exception) -> JSONResponse:
    """An answer over the response cap: a 422 on the spec's steps (in the body, or the
    link's ``?spec=``) that says how to ask for less."""
    assert isinstance(error, AnswerTooLarge)
    location = ["body", error.field] if request.method == "POST" else ["query", "spec"]
    item = {"loc": location, "msg": str(error), "type": "answer_too_large"}
    return JSONResponse({"detail": [item]}, status_code=422)


async def deadline_handler(request: Request, error: Exception) -> JSONResponse:
    """A computation stopped at its deadline: 503, saying how to ask for less."""
    return JSONResponse({"detail": str(error)}, status_code=503)


async def client_gone_handler(request: Request, error: Exception) -> JSONResponse:
    """The client left (mid-body, or while its work ran, which was then stopped): no
    error of the server's, so nothing in its log; nobody reads this answer."""
    return JSONResponse({"detail": "the client disconnected"}, status_code=499)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(SpecError, spec_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(ServerBusy, busy_handler)
    app.add_exception_handler(AnswerTooLarge, too_large_handler)
    app.add_exception_handler(DeadlineExceeded, deadline_handler)
    app.add_exception_handler(ClientGone, client_gone_handler)
    app.add_exception_handler(ClientDisconnect, client_gone_handler)
    app.add_exception_handler(LinkTooLong, link_too_long)
