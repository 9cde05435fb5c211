"""Typed formulas through the API: they work like built-ins, and hostile ones bounce off."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import at_once, timed

HOSTILE = [
    "x.__class__.__mro__",
    "__import__('os').system('touch pwned')",
    "__builtins__",
    "open('pwned', 'w').write('x')",
    "import os",
    "lambda: os",
    "[c for c in ().__class__.__bases__]",
    "exec('1')",
    "eval('1')",
    "globals()",
    "'a' * 10**9",
    "9**9**9",
    "x**10**10",
    "((((2^64)^64)^64)^64)^64",
    "(" * 10_000 + "x" + ")" * 10_000,
    "x" * 1_000_000,
    "-" * 299 + "x",
    "sin(" * 60 + "x" + ")" * 60,
]


def spec_with(expression: str) -> dict:
    return {
        "surface": {"id": "custom", "expression": expression},
        "optimizers": [{"id": "gd"}],
    }


def test_custom_surface_runs_and_describes_itself(client: TestClient) -> None:
    body = client.post(
        "/api/runs",
        json={
            "surface": {"id": "custom", "expression": "x^2 + 3*y^2", "domain": [[-3, 3], [-2, 2]]},
            "start": [2.0, 1.5],
            "steps": 300,
            "optimizers": [{"id": "gd", "params": {"lr": 0.1}}],
        },
    ).json()
    assert body["surface"]["info"]["latex_df_dx"] == "2 x"
    assert body["surface"]["info"]["latex_df_dy"] == "6 y"
    assert body["surface"]["domain"] == [[-3.0, 3.0], [-2.0, 2.0]]
    assert body["runs"][0]["status"] == "converged"
    assert body["runs"][0]["distance_to_min"] is None  # no minimum is known for a formula


def test_grid_of_a_formula_has_null_where_undefined(client: TestClient) -> None:
    body = client.post(
        "/api/surfaces/grid",
        json={"surface": {"id": "custom", "expression": "sqrt(x) + y"}, "resolution": 4},
    ).json()
    assert body["z"][0][0] is None and body["z"][0][3] is not None


def test_friendly_message_names_the_field(client: TestClient) -> None:
    response = client.post("/api/runs", json=spec_with("x + z"))
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "surface", "expression"]
    assert "unknown name 'z' at column 5" in detail["msg"]


def test_formula_endpoint_for_live_validation(client: TestClient) -> None:
    body = client.post("/api/formula", json={"expression": "x^2*y"}).json()
    assert body == {
        "f": "x^{2} y", "df_dx": "2 x y", "df_dy": "x^{2}",
        "f_text": "x^2*y", "df_dx_text": "2*x*y", "df_dy_text": "x^2",
    }  # fmt: skip
    bad = client.post("/api/formula", json={"expression": "x +* y"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "expression"]


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_formula_is_422_within_a_second(live_server: str, expression: str) -> None:
    watched = [Path.cwd(), Path(tempfile.gettempdir())]
    before = {folder: set(os.listdir(folder)) for folder in watched}
    _, quick = timed(lambda: httpx.post(f"{live_server}/api/runs", json=spec_with("x +* y")))
    response, took = timed(
        lambda: httpx.post(f"{live_server}/api/runs", json=spec_with(expression), timeout=10)
    )
    assert response.status_code == 422, response.text[:200]
    assert at_once(took, quick), (took, quick)
    assert httpx.get(f"{live_server}/api/health", timeout=5).status_code == 200
    for folder in watched:
        added = set(os.listdir(folder)) - before[folder]
        assert not {name for name in added if "pwned" in name}, added
    assert not (Path.cwd() / "pwned").exists()
