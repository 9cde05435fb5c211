"""Languages over HTTP and on the command line: ?lang=, Accept-Language, and 422s that
carry their kind so the page can say them in its own words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gradtrail.texts import messages
from tests.app.test_cli import gradtrail

CATALOG = re.compile(r'<script type="application/json" id="catalog">(.*?)</script>', re.S)


def page_catalog(html: str) -> dict:
    return json.loads(CATALOG.search(html)[1])


def test_the_page_speaks_the_language_asked_for(client: TestClient) -> None:
    html = client.get("/?lang=ja").text
    assert '<html lang="ja">' in html and f"<title>{messages('ja')['title']}</title>" in html
    catalog = page_catalog(html)
    assert catalog["lang"] == "ja" and catalog["messages"] == dict(messages("ja"))
    assert {o["id"]: o["name"] for o in catalog["optimizers"]}["gd"] == "勾配降下法"
    assert catalog["presets"][0]["title"] == messages("ja")["lesson.line-fit.title"]


def test_without_lang_the_page_follows_the_browser(client: TestClient) -> None:
    japanese = client.get("/", headers={"accept-language": "ja-JP,ja;q=0.9,en;q=0.5"}).text
    assert '<html lang="ja">' in japanese
    english = client.get("/", headers={"accept-language": "de-DE,en;q=0.5"}).text
    assert '<html lang="en">' in english
    assert '<html lang="en">' in client.get("/?lang=ja-Latn-xx").text  # unknown: the default


@pytest.mark.parametrize("path", ["/", "/embed?preset=ravine", "/export?preset=ravine"])
def test_a_page_falls_back_from_an_overlong_language_instead_of_a_422(
    client: TestClient, path: str
) -> None:
    """An Accept-Language over 1,024 characters or a ?lang= over 16 was a 422."""
    junk = "x" * 2000
    separator = "&" if "?" in path else "?"
    asked = [
        ({"accept-language": "ja-JP,ja;q=0.9," + junk}, "", "ja"),  # its first entry counts
        ({"accept-language": junk}, "", "en"),
        ({"accept-language": "ja"}, f"{separator}lang={junk}", "ja"),  # unknown ?lang=
        ({}, f"{separator}lang=ja{junk}", "en"),
    ]
    for headers, query, language in asked:
        answer = client.get(path + query, headers=headers)
        assert answer.status_code == 200, (headers, query)
        assert f'<html lang="{language}">' in answer.text, (headers, query)


def test_the_api_names_things_in_the_language_asked_for(client: TestClient) -> None:
    assert {o["id"]: o["name"] for o in client.get("/api/optimizers?lang=ja").json()}[
        "momentum"
    ] == "モーメンタム"
    assert client.get("/api/presets?lang=ja").json()[0]["caption"].startswith("このお椀")
    spec = {"surface": {"id": "quadratic"}, "steps": 3, "optimizers": [{"id": "gd"}]}
    body = client.post("/api/runs?lang=ja", json=spec).json()
    assert body["runs"][0]["label"] == "勾配降下法 (lr=0.001)"
    assert body["surface"]["name"] == "2 次関数のお椀"
    assert client.post("/api/runs", json=spec).json()["runs"][0]["label"].startswith("Gradient")


def test_an_unknown_language_is_a_422_naming_lang(client: TestClient) -> None:
    answer = client.get("/api/optimizers?lang=fr")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "lang"]


def test_the_embed_and_the_export_keep_their_language(client: TestClient) -> None:
    embed = client.get("/embed?preset=ravine&lang=ja").text
    assert '<html lang="ja">' in embed and "細い谷" in embed
    assert 'aria-label="再生 / 一時停止"' in embed
    spec = {"surface": {"id": "saddle"}, "steps": 5, "optimizers": [{"id": "adam"}]}
    export = client.post("/export?lang=ja", json=spec)
    assert export.status_code == 200 and '<html lang="ja">' in export.text
    assert "鞍点" in export.text and "ステップごとの損失" in export.text  # and its loss plot
    assert "Loss per step" not in export.text
    assert "Saddle" in client.post("/export", json=spec).text


def test_422s_carry_their_kind_and_its_numbers(client: TestClient) -> None:
    formula = client.post("/api/formula", json={"expression": "x + z"}).json()["detail"][0]
    assert formula["type"] == "formula_unknown_name"
    assert formula["ctx"] == {"column": 5, "name": "z"}
    assert "unknown name 'z'" in formula["msg"]  # the English stays for programs
    spec = {"surface": {"id": "quadratic"}, "optimizers": [{"id": "adam", "params": {"lr": -1}}]}
    item = client.post("/api/runs", json=spec).json()["detail"][0]
    assert item["type"] == "param_range" and item["ctx"] == {"name": "lr", "min": "0", "max": "∞"}
    steps = client.post("/api/runs", json={**spec, "steps": 0}).json()["detail"]
    assert {"type": "greater_than_equal", "ctx": {"ge": 1}}.items() <= steps[0].items()
    start = {"surface": {"id": "custom", "expression": "log(x) + y^2"}, "start": [-1, 0],
             "optimizers": [{"id": "gd"}]}  # fmt: skip
    assert client.post("/api/runs", json=start).json()["detail"][0]["type"] == "start"
    for item in [formula, *steps]:
        template = messages("ja")[f"error.{item['type']}"]
        assert set(re.findall(r"\{(\w+)\}", template)) <= set(item.get("ctx", {}))


def test_the_command_line_exports_in_japanese(tmp_path: Path) -> None:
    out = tmp_path / "ravine.html"
    done = gradtrail("export", "--preset", "ravine", "--lang", "ja", "-o", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "細い谷" in html and "モーメンタム" in html
