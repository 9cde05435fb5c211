"""Every route of the app either declares its work through the one admission path
(:func:`gradtrail.app.compute.admits`) or is named below as computing nothing, with why.

A route added without either fails here; so does one listed as computing nothing that
reads a spec, the one thing every computation starts from.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from gradtrail import RunSpec
from gradtrail.app.compute import LANES, is_admission
from gradtrail.app.deps import SmallAdmission, SpecBody
from gradtrail.app.main import create_app
from gradtrail.sweep import SweepSpec

CATALOGUE = "answers from the registries, built once; runs no spec"
STATIC = "a file from the package, gzipped once per file"
DOCS = "FastAPI's schema and its offline documentation pages"
PAGE = "the app's page: the catalogue inline; the browser runs its spec through the API"
STATIC_PATHS = (
    "/static/{version}/{folder}/{name}",
    "/static/{version}/{folder}/fonts/{name}",  # KaTeX's fonts, beside its stylesheet
    "/static/{folder}/{name}",
)
# (method, path) -> why the route computes nothing that admission should bound.
COMPUTES_NOTHING = {
    **{(method, "/api/health"): "reads this process's counters" for method in ("GET", "HEAD")},
    ("GET", "/api/surfaces"): CATALOGUE,
    ("GET", "/api/optimizers"): CATALOGUE,
    ("GET", "/api/presets"): CATALOGUE,
    ("GET", "/api/sweep-presets"): CATALOGUE,
    **{(method, "/"): PAGE for method in ("GET", "HEAD")},
    **{(method, path): STATIC for method in ("GET", "HEAD") for path in STATIC_PATHS},
    **{(method, "/openapi.json"): DOCS for method in ("GET", "HEAD")},
    ("GET", "/docs"): DOCS,
    ("GET", "/docs/oauth2-redirect"): DOCS,
    ("GET", "/redoc"): DOCS,
    ("GET", "/redoc/{version}/redoc.standalone.js"): DOCS,
}
SPECS = (RunSpec, SweepSpec)


def dependencies(dependant: Dependant) -> Iterator[Dependant]:
    """A route's dependant and every dependency beneath it."""
    yield dependant
    for child in dependant.dependencies:
        yield from dependencies(child)


def reads_a_spec(dependant: Dependant) -> bool:
    """Whether the route takes a run or sweep spec as one (the app's page only checks that
    a ``?spec=`` link arrived whole, and the browser reads it)."""
    for each in dependencies(dependant):
        for param in (*each.body_params, *each.query_params):
            annotation = param.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, SPECS):
                return True
    return False


def unbounded_routes(app: FastAPI) -> list[str]:
    """Each route (method and path) that neither is admitted nor is listed as computing
    nothing, and each listed one that reads a spec all the same."""
    found = []
    for route in iter_route_contexts(app.routes):
        for method in sorted(route.methods or ()):
            key = (method, route.path)
            dependant = getattr(route, "dependant", None)
            admitted = dependant is not None and any(
                is_admission(each.call) for each in dependencies(dependant)
            )
            if admitted:
                continue
            if key not in COMPUTES_NOTHING:
                found.append(f"{method} {route.path}: not admitted (declare its work with admits)")
            elif dependant is not None and reads_a_spec(dependant):
                found.append(f"{method} {route.path}: listed as computing nothing, reads a spec")
    return found


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    }


def test_every_route_that_computes_is_admitted() -> None:
    app = create_app()
    assert unbounded_routes(app) == []
    assert set(COMPUTES_NOTHING) <= routes_of(app), "a listed route no longer exists"
    hostile = [("POST", "/api/runs/stream"), ("POST", "/api/sweeps/stream"),
               ("GET", "/export"), ("HEAD", "/export"), ("POST", "/export"),
               ("GET", "/embed"), ("GET", "/api/player"), ("POST", "/api/player")]  # fmt: skip
    for method, path in hostile:  # the routes of issue #35
        assert (method, path) in routes_of(app) and (method, path) not in COMPUTES_NOTHING


def test_a_route_added_without_admission_is_found() -> None:
    app = create_app()

    @app.post("/api/new-computation")
    async def new_computation(spec: SpecBody) -> dict:  # computes without admission
        return {}

    @app.get("/api/health-like")
    async def unlisted() -> dict:  # computes nothing, but says so nowhere
        return {}

    @app.post("/api/admitted")
    async def admitted(spec: SpecBody, admission: SmallAdmission) -> dict:
        return {}

    assert unbounded_routes(app) == [
        "POST /api/new-computation: not admitted (declare its work with admits)",
        "GET /api/health-like: not admitted (declare its work with admits)",
    ]


def test_a_spec_read_by_a_route_listed_as_computing_nothing_is_found() -> None:
    app = FastAPI()

    @app.post("/api/health")
    async def sneaky(spec: SpecBody) -> dict:
        return {}

    COMPUTES_NOTHING[("POST", "/api/health")] = "claimed"
    try:
        found = unbounded_routes(app)
        assert "POST /api/health: listed as computing nothing, reads a spec" in found
    finally:
        del COMPUTES_NOTHING[("POST", "/api/health")]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/runs", {"surface": {"id": "beale"}, "steps": 30, "optimizers": [{"id": "gd"}]}),
        ("/api/sweeps", {"surface": {"id": "quadratic"}, "optimizer": {"id": "gd"}, "steps": 20,
                         "axes": [{"name": "lr", "low": 0.01, "high": 0.2, "count": 4}]}),
    ],
)  # fmt: skip
def test_admission_is_given_back_and_waiting_never_goes_negative(
    client, path: str, body: dict
) -> None:
    """Streams computed their frames in a lane without holding a place in it, so health's
    ``waiting`` (places taken minus threads running) went to −1 under load."""
    for stream in (False, True):
        target = f"{path}/stream" if stream else path
        assert client.post(target, json=body).status_code == 200
        for lane in LANES.values():
            assert lane.admitted == 0, (target, lane.name)
        health = client.get("/api/health").json()
        assert all(lane["waiting"] >= 0 for lane in health["compute"].values())
