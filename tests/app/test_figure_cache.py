"""The start figures are drawn once per spec and language, and never served for another."""

from __future__ import annotations

import orjson
import pytest

from gradtrail import RunSpec, Simulation
from gradtrail.app import streams
from gradtrail.app.streams import FigureCache, draw_start_figures
from gradtrail.presets import PRESETS


def simulation(lr: float = 0.05, lang: str = "en") -> Simulation:
    spec = PRESETS["himmelblau"].run_spec()
    first = spec.optimizers[0].model_copy(update={"params": {"lr": lr}})
    return Simulation(spec.model_copy(update={"optimizers": [first, *spec.optimizers[1:]]}), lang)


def as_json(figures: dict) -> bytes:
    return orjson.dumps(figures)


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[Simulation]:
    """Every simulation the cache had to draw."""
    drawn: list[Simulation] = []

    def counted(simulation: Simulation) -> dict:
        drawn.append(simulation)
        return draw_start_figures(simulation)

    monkeypatch.setattr(streams, "draw_start_figures", counted)
    return drawn


def test_the_same_spec_and_language_are_drawn_once(draws: list[Simulation]) -> None:
    cache = FigureCache(entries=4)
    first = cache.get(simulation())
    again = cache.get(simulation())  # another request, an equal spec
    assert again is first
    assert len(draws) == 1


@pytest.mark.parametrize(("other", "differs"), [
    ({"lr": 0.07}, "the run's label and start marker"),
    ({"lang": "ja"}, "every title"),
])  # fmt: skip
def test_another_spec_or_language_gets_its_own_figures(
    draws: list[Simulation], other: dict, differs: str
) -> None:
    cache = FigureCache(entries=4)
    cache.get(simulation())
    served = cache.get(simulation(**other))
    assert len(draws) == 2
    expected = draw_start_figures(simulation(**other))  # drawn afresh, without the cache
    assert as_json(served) == as_json(expected)
    assert as_json(served) != as_json(draw_start_figures(simulation())), differs


def test_the_cache_keeps_only_the_specs_asked_for_last(draws: list[Simulation]) -> None:
    cache = FigureCache(entries=2)
    for lr in (0.01, 0.02, 0.01, 0.03):  # 0.01 is used again before 0.03 arrives
        cache.get(simulation(lr))
    assert len(cache.kept) == 2
    assert [s.spec.optimizers[0].params["lr"] for s in draws] == [0.01, 0.02, 0.03]
    cache.get(simulation(0.02))  # pushed out by 0.03: drawn again
    assert len(draws) == 4


def test_a_spec_with_data_is_keyed_by_its_data() -> None:
    """Two uploads that differ in one point are two surfaces."""
    base = {"surface": {"id": "regression", "data": {"x": [0.0, 1.0, 2.0], "y": [1.0, 3.0, 5.0]}},
            "optimizers": [{"id": "gd"}]}  # fmt: skip
    moved = orjson.loads(orjson.dumps(base))
    moved["surface"]["data"]["y"][2] = 6.0
    cache = FigureCache(entries=4)
    one = cache.get(Simulation(RunSpec.model_validate(base)))
    two = cache.get(Simulation(RunSpec.model_validate(moved)))
    assert as_json(two) == as_json(draw_start_figures(Simulation(RunSpec.model_validate(moved))))
    assert as_json(one) != as_json(two)
