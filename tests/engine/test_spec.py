"""Spec validation: every bound holds and every error names its field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gradtrail import RunSpec


def error_of(spec: dict) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        RunSpec.model_validate(spec)
    first = caught.value.errors()[0]
    return ".".join(str(p) for p in first["loc"]), first["msg"]


def base(**overrides: object) -> dict:
    return {"surface": {"id": "rosenbrock"}, "optimizers": [{"id": "adam"}], **overrides}


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (base(steps=0), "steps", "greater than or equal to 1"),
        (base(steps=20_001), "steps", "less than or equal to 20000"),
        (base(optimizers=[]), "optimizers", "at least 1"),
        (base(optimizers=[{"id": "adam"}] * 17), "optimizers", "at most 16"),
        (base(optimizers=[{"id": "sgdx"}]), "optimizers.0.id", "'gd'"),
        (base(optimizers=[{"id": "adam", "params": {"lrr": 1}}]), "optimizers.0.params", "lrr"),
        (base(optimizers=[{"id": "adam", "params": {"lr": -1}}]), "optimizers.0.params", "lr"),
        (
            base(optimizers=[{"id": "adam", "params": {"betas": [0.9, 1.0]}}]),
            "optimizers.0.params",
            "betas must be < 1",
        ),
        (
            base(optimizers=[{"id": "adam", "params": {"amsgrad": 1}}]),
            "optimizers.0.params",
            "amsgrad",
        ),
        (
            base(optimizers=[{"id": "nesterov", "params": {"momentum": 0}}]),
            "optimizers.0.params",
            "momentum",
        ),
        (base(start=[1.0]), "start", ""),
        (base(start=[1.0, float("nan")]), "start.1", "finite"),
        (base(surface={"id": "nowhere"}), "surface.id", ""),
        (
            base(surface={"id": "rosenbrock", "params": {"c": 1}}),
            "surface",
            "unknown parameter 'c'",
        ),
        (base(surface={"id": "rosenbrock", "params": {"b": 1e9}}), "surface", "b must be ≤ 10000"),
        (
            base(surface={"id": "regression", "generate": {"n": 1_000_001}}),
            "surface.generate.n",
            "",
        ),
        (
            base(surface={"id": "regression", "data": {"x": [1, 2, 3], "y": [1, 2]}}),
            "surface.data",
            "x has 3",
        ),
        (base(stop={"divergence_bound": 0}), "stop.divergence_bound", ""),
        (base(seed=-1), "seed", ""),
        (base(extra=1), "extra", "Extra inputs"),
    ],
)
def test_bad_specs_name_their_field(spec: dict, field: str, words: str) -> None:
    location, message = error_of(spec)
    assert location.startswith(field)
    assert words in message


def test_learning_rate_has_no_upper_bound() -> None:
    spec = RunSpec.model_validate(base(optimizers=[{"id": "gd", "params": {"lr": 1e12}}]))
    assert spec.optimizers[0].params["lr"] == 1e12
