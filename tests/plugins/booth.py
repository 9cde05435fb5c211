"""Booth's function, with a weight on its first term, added as a plug-in adds a built-in:
its function, one registry entry, its texts in English and Japanese. Nothing else in
gradtrail knows it (``register`` is the only call)."""

from __future__ import annotations

from gradtrail.kinds import SURFACE_KINDS, register
from gradtrail.numeric import Real
from gradtrail.surfaces import Builtin, Surface, SurfaceParam, builtin_kind, one_pass

ID = "booth"
FORMULA = r"a\,(x + 2y - 7)^2 + (2x + y - 5)^2"


def booth(a: float) -> Surface:
    """``a (x + 2y - 7)² + (2x + y - 5)²``: a tilted bowl, minimum at (1, 3) for any a > 0."""

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        u, v = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
        return a * u * u + v * v, (2.0 * a * u + 4.0 * v, 4.0 * a * u + 2.0 * v)

    return Surface(
        ID, FORMULA, {"a": a}, ((-10.0, 10.0), (-10.0, 10.0)),
        ((1.0, 3.0),), (-7.0, -8.0), **one_pass(at),
        expression=f"{a!r}*(x + 2*y - 7)^2 + (2*x + y - 5)^2",
    )  # fmt: skip


BOOTH = Builtin(ID, FORMULA, (SurfaceParam("a", 1.0, 0.1, 10.0),), booth)
TEXTS = {
    "en": {"surface.booth": "Booth (a plug-in)", "surface.booth.a": "weight of the first term"},
    "ja": {"surface.booth": "Booth 関数（プラグイン）", "surface.booth.a": "第 1 項の重み"},
}


def add() -> None:
    """Register Booth once in this process."""
    if ID not in SURFACE_KINDS:
        register(builtin_kind(BOOTH), TEXTS)


def remove() -> None:
    """Take Booth out again, its texts too, so the rest of the session sees the registry
    as shipped."""
    from gradtrail.texts import LANGUAGES, messages

    SURFACE_KINDS.pop(ID, None)
    for lang in LANGUAGES:
        for key in TEXTS[lang]:
            messages(lang).pop(key, None)  # type: ignore[attr-defined]
