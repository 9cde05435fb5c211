"""The page types no id, no limit and no default: it asks the API for them.

These read the page's own sources (``static/js``, ``templates``) the way ``git grep``
would, for every id in the registries and every number the page catalogue hands the
page. A literal that slips back in is a second copy of a fact, and fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gradtrail.app.routers.api import page_catalog
from gradtrail.axes import first_axes, sweepable_axes
from gradtrail.optimizers import OPTIMIZERS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "static" / "js").glob("*.js"), *(ROOT / "templates").glob("*.html")])
# A number written where a bound or a fallback goes: `x <= 16`, `?? 30`, `max="300"`,
# `Math.min(steps, 500)`. Small numbers elsewhere are sizes and widths, not limits.
BOUND = (
    r"(?:\s[<>]=?\s*|\s===?\s*|\?\?\s*"  # a comparison or a fallback
    r"|max(?:length)?\s*[=:]\s*[\"']?|Math\.(?:min|max)\([^)]*?,\s*)"  # a bound
)


def source_lines() -> list[tuple[str, int, str]]:
    lines = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            lines.append((path.relative_to(ROOT).as_posix(), number, line))
    return lines


def spellings(value: int) -> list[str]:
    """How a number may be typed in JavaScript: 20000, 20_000, 2e4, 2E4."""
    mantissa, exponent = f"{value:e}".split("e")
    short = f"{float(mantissa):g}e{int(exponent)}"
    return sorted({str(value), f"{value:_}", short, short.upper()})


def numbers_of(tree: Any) -> set[int]:
    """Every whole number ≥ 2 in a JSON-like tree (booleans are not numbers here)."""
    if isinstance(tree, dict):
        return set().union(*map(numbers_of, tree.values())) if tree else set()
    if isinstance(tree, list):
        return set().union(*map(numbers_of, tree)) if tree else set()
    if isinstance(tree, int | float) and not isinstance(tree, bool) and tree == int(tree):
        return {int(tree)} if tree >= 2 else set()
    return set()


CATALOG = page_catalog()
IDS = sorted(
    {
        *(o["id"] for o in CATALOG["optimizers"]),
        *(s["id"] for s in CATALOG["surfaces"]),
        *(p["id"] for p in [*CATALOG["presets"], *CATALOG["sweep_presets"]]),
    }
)
LIMITS = sorted(numbers_of([CATALOG["limits"], CATALOG["defaults"], CATALOG["sweep"]]))


def test_the_sources_are_read() -> None:
    assert any(path.name == "main.js" for path in SOURCES)
    assert any(path.name == "index.html" for path in SOURCES)
    assert {20_000, 16, 300, 80} <= set(LIMITS)


SURFACES = [s["id"] for s in CATALOG["surfaces"]]


def named(surface: str) -> re.Pattern[str]:
    """``surface`` as a word of its own, or a part of a camel-case name (``isRegression``)."""
    return re.compile(rf"(?:(?<![A-Za-z]){surface}|{surface.capitalize()})(?![a-z])")


@pytest.mark.parametrize("surface", SURFACES)
def test_no_surface_kind_is_switched_on_in_the_page(surface: str) -> None:
    """The page renders a surface's form from its catalogue entry: no surface id appears in
    its code (as a word in a string, a DOM id, a name such as ``isRegression``), comments
    aside."""
    word = named(surface)
    found = [
        f"{path}:{n}: {line.strip()}"
        for path, n, line in source_lines()
        if word.search(re.sub(r"//.*|^\s*\*.*|<!--.*?-->", "", line))
    ]
    assert found == []


def test_the_surface_check_finds_what_it_looks_for() -> None:
    assert "custom" in SURFACES and "neuron" in SURFACES
    word = named("regression")
    assert word.search("function entryItem(entry, index, isRegression) {")
    assert word.search('if (spec.id === "regression")')
    assert not word.search("customdata: cells")


@pytest.mark.parametrize("identifier", IDS)
def test_no_registered_id_is_typed_in_the_page(identifier: str) -> None:
    quoted = re.compile(rf"""["'`]{re.escape(identifier)}["'`]""")
    found = [
        f"{path}:{n}: {line.strip()}" for path, n, line in source_lines() if quoted.search(line)
    ]
    assert found == []


@pytest.mark.parametrize("value", LIMITS)
def test_no_limit_or_default_is_typed_in_the_page(value: int) -> None:
    words = "|".join(re.escape(spelling) for spelling in spellings(value))
    # Not part of a word, a size or an HTTP status (`new ApiError(500, …)`).
    anywhere = re.compile(rf"(?<![\w.#-])(?<!Error\()(?:{words})(?![\w.%])")
    as_bound = re.compile(rf"{BOUND}(?:{words})\b")
    pattern = anywhere if value >= 100 else as_bound  # small ones: only where a bound goes
    found = [
        f"{path}:{n}: {line.strip()}" for path, n, line in source_lines() if pattern.search(line)
    ]
    assert found == []


def test_the_check_finds_what_it_looks_for() -> None:
    """The patterns above catch the copies this test replaced (so it can fail)."""
    bound = re.compile(rf"{BOUND}(?:16)\b")
    assert bound.search("if (entries.length >= 16) return;")
    assert bound.search('<textarea maxlength="300">') is None  # 300 is caught as a large one
    assert re.search(rf"{BOUND}(?:500)\b", "steps: Math.min(steps, 500) };")
    assert "2e4" in spellings(20_000) and "20_000" in spellings(20_000)


def test_the_sweep_form_gets_its_axes_from_the_optimizer() -> None:
    by_id = {o["id"]: o for o in CATALOG["optimizers"]}
    assert by_id["adam"]["sweep_axes"][:4] == ["lr", "betas[0]", "betas[1]", "eps"]
    assert by_id["adam"]["first_sweep"][1]["name"] == "betas[0]"
    assert by_id["rmsprop"]["first_sweep"][1]["name"] == "momentum"
    assert [axis["name"] for axis in by_id["gd"]["first_sweep"]] == ["lr"]
    for optimizer in OPTIMIZERS.values():
        assert by_id[optimizer.id]["sweep_axes"] == sweepable_axes(optimizer)
        for axis in first_axes(optimizer):
            assert axis["name"] in sweepable_axes(optimizer)
    assert CATALOG["sweep"]["start_axes"] == ["start.x", "start.y"]


def test_no_static_url_is_typed_in_the_page() -> None:
    """Every /static/ URL is versioned by the server (static_files.static_url) and reaches
    the page through its templates; a typed one would bypass the version."""
    found = [f"{path}:{n}" for path, n, line in source_lines() if "/static/" in line]
    assert found == []


def test_the_readme_lists_every_setting_with_its_default() -> None:
    """The README's settings table states each ``GRADTRAIL_*`` variable's default: a second
    copy of the fact, held to the settings' own (a change of default left it behind)."""
    from gradtrail.app.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `GRADTRAIL_(\w+)` \| (.+?) \|", readme, re.MULTILINE))
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, float) and default.is_integer():
            default = int(default)
        stated = f"`{default}`" if default != [] else "(none)"
        assert listed.get(name.upper()) == stated, name
    assert set(listed) == {name.upper() for name in Settings.model_fields}
