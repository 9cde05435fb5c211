"""A server a class shares: what one student's input may not do to it (issue: no 500s)."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from gradtrail.app.main import create_app
from tests.conftest import timed

# (surface, start, the field the 422 names): each was a 500 before.
UNDEFINED_AT_THE_START = [
    ({"id": "custom", "expression": "log(x)+y^2"}, [-1, 0], "start"),
    ({"id": "custom", "expression": "sqrt(x)"}, [-1, 0], "start"),
    ({"id": "custom", "expression": "arcsin(x)"}, [2, 0], "start"),
    ({"id": "custom", "expression": "1/x+y^2"}, [0, 0], "start"),
    ({"id": "custom", "expression": "x^0.5+y^2"}, [-1, 0], "start"),
    ({"id": "custom", "expression": "exp(1000)*x+y^2"}, None, "expression"),
    ({"id": "custom", "expression": "x^2+y^2"}, [1e200, 0], "start"),
    ({"id": "rastrigin"}, [1e308, 0], "start"),
    ({"id": "regression", "generate": {"x_range": [0, 1e-300]}}, None, "generate"),
    (
        {"id": "regression", "data": {"x": [1e200, -1e200], "y": [1, 2]}, "standardize": True},
        None,
        "data",
    ),
]


@pytest.fixture(scope="module")
def quiet_client() -> TestClient:
    """A client that reports a server error as a 500, as a browser would see it."""
    return TestClient(create_app(), raise_server_exceptions=False)


def link(spec: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(spec).encode()).decode().rstrip("=")


@pytest.mark.parametrize(("surface", "start", "field"), UNDEFINED_AT_THE_START)
def test_a_surface_undefined_at_the_start_is_a_422_everywhere(
    quiet_client: TestClient, surface: dict, start: list | None, field: str
) -> None:
    spec = {"surface": surface, "steps": 5, "optimizers": [{"id": "gd"}]}
    sweep = {"surface": surface, "steps": 5, "optimizer": {"id": "gd"},
             "axes": [{"name": "lr", "values": [0.1, 0.2]}]}  # fmt: skip
    if start is not None:
        spec["start"] = sweep["start"] = start
    for path, body in (("/api/runs", spec), ("/api/runs/stream", spec), ("/api/figures", spec),
                       ("/api/sweeps", sweep), ("/api/sweeps/stream", sweep)):  # fmt: skip
        response = quiet_client.post(path, json=body)
        assert response.status_code == 422, (path, response.text[:300])
        assert field in response.json()["detail"][0]["loc"], (path, response.json())
    for page in ("/embed", "/export"):
        assert quiet_client.get(f"{page}?spec={link(spec)}").status_code == 422, page
    assert quiet_client.post("/api/surfaces/grid", json={"surface": surface}).status_code in (
        200,
        422,
    )


def test_a_domain_error_along_the_path_is_divergence(client: TestClient) -> None:
    spec = {"surface": {"id": "custom", "expression": "sqrt(x) + y^2"}, "start": [1.0, 1.0],
            "optimizers": [{"id": "gd", "params": {"lr": 5.0}}]}  # fmt: skip
    run = client.post("/api/runs", json=spec).json()["runs"][0]
    assert run["status"] == "diverged"
    assert all(x >= 0 for x in run["x"])


LABELS = ["<!--<script>", "</script><script>alert(1)</script>", "<!--", "]]>&amp;<b>"]


@pytest.mark.parametrize("label", LABELS)
def test_a_label_cannot_break_the_player(client: TestClient, label: str) -> None:
    spec = {"surface": {"id": "beale"}, "steps": 5,
            "optimizers": [{"id": "gd", "label": label}]}  # fmt: skip
    for page in ("/embed", "/export"):
        html = client.get(f"{page}?spec={link(spec)}").text
        opening = '<script type="application/json" id="gradtrail-data">'
        data = html.split(opening, 1)[1].split("</script>")[0]
        assert "<" not in data and ">" not in data
        assert json.loads(data)["runs"][0]["label"] == label


@pytest.mark.parametrize("label", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_a_label_is_not_a_spreadsheet_formula_in_csv(client: TestClient, label: str) -> None:
    spec = {"surface": {"id": "beale"}, "steps": 2,
            "optimizers": [{"id": "gd", "label": label}]}  # fmt: skip
    text = client.post("/api/runs?format=csv", json=spec).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(row["label"] == "'" + label for row in rows)


def test_a_body_of_thousands_of_bad_samples_is_told_its_first_faults_at_once(
    client: TestClient,
) -> None:
    """Found by the API fuzz: 5,000 samples that fit no data form were each reported under
    every form (10,002 faults, a 739 KB answer) and their repeats removed by a quadratic
    search (6.6 s). The answer names the first faults and how many more, as soon as a small
    bad request's."""
    bad = {"surface": {"id": "regression", "data": {"x": [[0.0]] * 4_999, "y": [0, 0]}}}
    small = {"surface": {"id": "regression", "data": {"x": [[0.0]], "y": [0, 0]}}}
    _, quick = timed(lambda: client.post("/api/averages", json=small))
    answer, took = timed(lambda: client.post("/api/averages", json=bad))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert len(detail) == 101, len(detail)
    assert detail[-1]["type"] == "more_faults" and 100 + detail[-1]["ctx"]["more"] >= 4_999
    assert detail[0]["loc"][:3] == ["body", "surface", "data"], detail[0]
    assert len(answer.content) < 50_000 and took < max(1.0, 50 * quick), (took, quick)
