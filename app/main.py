"""Assemble the app: settings, middleware, error handlers, routers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from gradtrail import __version__
from gradtrail.app import compute, errors
from gradtrail.app.compression import Compression
from gradtrail.app.limits import BodyLimits, LongTargets, StreamGuard
from gradtrail.app.routers import api, pages, static, streams, sweeps
from gradtrail.app.security import SecurityHeaders
from gradtrail.app.settings import get_settings

DESCRIPTION = """
Run gradient descent, momentum, RMSProp, Adam and their relatives on 2-D loss
surfaces. Every optimizer reproduces its `torch.optim` counterpart (same names,
defaults and update rules, float64). Bad input is a 422 naming the field;
divergence is a result (`status: "diverged"`), and JSON never holds NaN.
"""


def create_app() -> FastAPI:
    """A new application configured from the environment."""
    settings = get_settings()
    compute.configure_process()
    # Swagger UI and ReDoc come from fastapi-offline's package data, not a CDN; /redoc
    # is the pages router's (its script without the logo fastapi-offline's asks a CDN for).
    app = FastAPIOffline(
        redoc_url=None,
        title="gradtrail",
        version=__version__,
        description=DESCRIPTION,
    )
    errors.install(app)
    app.include_router(api.router)
    app.include_router(streams.router)
    app.include_router(sweeps.router)
    app.include_router(pages.router)
    app.include_router(static.router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        )
    app.add_middleware(LongTargets, pages=pages.PAGES)
    # Outermost last: the limits see each request first, the compression sees each answer
    # as the routes made it (the others only read or add headers).
    app.add_middleware(Compression)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(StreamGuard, write_timeout=settings.stream_write_timeout)
    app.add_middleware(
        BodyLimits,
        limit=settings.max_body_bytes,
        large=settings.large_body_bytes,
        slots=settings.large_bodies,
        waiting=settings.queue_large_bodies,
    )
    return app


app = create_app()
