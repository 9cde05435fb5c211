"""Forward mode and the finite-difference check over HTTP: ``/api/backprop`` answers both,
its step h is bounded and named when refused, and the page's catalogue carries the bounds."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

BODY = {"surface": {"id": "rosenbrock"}, "point": [0.5, 1.0]}


def test_backprop_answers_forward_mode_and_the_check(client: TestClient) -> None:
    shown = client.post("/api/backprop", json={**BODY, "h": 1e-4}).json()
    # by hand: ∂f/∂x = −2(1 − x) − 400 x (y − x²) = −151, ∂f/∂y = 200 (y − x²) = 150
    assert shown["gradient"] == pytest.approx([-151.0, 150.0], rel=1e-15)
    assert shown["forward"]["gradient"] == pytest.approx([-151.0, 150.0], rel=1e-15)
    assert len(shown["nodes"][0]["tangents"]) == 2
    check = shown["finite_differences"]
    assert check["h"] == 1e-4 and check["evaluations"] == 4
    assert check["estimate"] == pytest.approx([-151.0, 150.0], rel=1e-7)
    assert len(check["sweep"]) == 13


@pytest.mark.parametrize("h", [0, -1e-5, 2.0, 1e-16, "0.1", None, True])
def test_a_step_out_of_bounds_is_refused_naming_h(client: TestClient, h: object) -> None:
    answer = client.post("/api/backprop", json={**BODY, "h": h})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["body", "h"]


def test_the_pages_catalogue_carries_the_steps_bounds(client: TestClient) -> None:
    from gradtrail.app.routers.api import page_catalog

    bounds = page_catalog()["limits"]["finite_difference_step"]
    assert bounds["min"] <= 1e-12 < 1e-1 <= bounds["max"]
    assert bounds["min"] <= bounds["default"] <= bounds["max"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["BackpropRequest"]
    h = schema["properties"]["h"]
    assert (h["minimum"], h["maximum"]) == (bounds["min"], bounds["max"])


@pytest.mark.parametrize("width", [0, 99, 7681, 800.5, "800"])
def test_a_box_out_of_bounds_is_refused_naming_width(client: TestClient, width: object) -> None:
    answer = client.post("/api/backprop", json={**BODY, "figure": True, "width": width})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["body", "width"]


def test_the_chains_graph_is_drawn_for_the_box_it_is_asked_for(client: TestClient) -> None:
    body = {"surface": {"id": "chain"}, "point": [1.0, 2.0], "figure": True}
    free = client.post("/api/backprop", json=body).json()["figure"]["layout"]["meta"]
    boxed = client.post("/api/backprop", json={**body, "width": 800}).json()["figure"]
    assert boxed["layout"]["meta"]["least_width"] <= 800 < free["least_width"]
