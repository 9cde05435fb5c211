"""Every text a person reads, in English and Japanese: one JSON catalogue per language.

The catalogues (``locales/en.json``, ``locales/ja.json``) are flat maps from an id to
a text with ``{name}`` placeholders. The figures, the lessons, the API's names and
help texts, the page and the offline player all read them; the page gets its part
from the server, so no text is typed twice. Ids of things in a registry are built
by the ``*_key`` functions here, which the catalogue test also uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any, Literal, get_args

Language = Literal["en", "ja"]
LANGUAGES: tuple[str, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
ACCEPTED_LANGUAGES = 12  # entries of an Accept-Language header read


@cache
def messages(lang: str) -> Mapping[str, str]:
    """The catalogue of ``lang`` (read once from the package)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    source = files("gradtrail").joinpath("locales", f"{lang}.json").read_text("utf-8")
    return json.loads(source)


def add_texts(lang: str, entries: Mapping[str, str]) -> None:
    """Add a plug-in's texts to ``lang``'s catalogue (a key already there is an error)."""
    catalogue = messages(lang)
    taken = set(entries) & set(catalogue)
    if taken:
        raise ValueError(f"text keys already in the {lang} catalogue: {', '.join(sorted(taken))}")
    catalogue.update(entries)  # type: ignore[attr-defined]


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """The text ``key`` in ``lang`` with ``{name}`` filled from ``values`` (the page's ``t``)."""
    template = messages(lang)[key]
    return PLACEHOLDER.sub(lambda match: str(values.get(match[1], "")), template)


def written_number(value: float) -> str:
    """A number as people write it: ``2``, ``0.5``, ``0.999``, ``1e-8`` (not Python's
    ``1e-08``); the formulas' constants and the step's hyperparameters alike."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    mantissa, marker, exponent = f"{value:.12g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if marker else mantissa


def pick_language(asked: str | None, accept_language: str | None = None) -> Language:
    """``?lang=`` when it names a language; else the first of the browser's
    ``Accept-Language`` (by its q-values) that is one; else English."""
    if asked in LANGUAGES:
        return asked  # type: ignore[return-value]
    ranked: list[tuple[float, int, str]] = []
    # A browser names a few languages; past the first dozen a header is junk, and reading
    # no further keeps any length of it cheap (a page never refuses one: it falls back).
    parts = (accept_language or "").split(",", ACCEPTED_LANGUAGES)[:ACCEPTED_LANGUAGES]
    for order, part in enumerate(parts):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, order, tag.strip().lower().split("-")[0]))
    for quality, _, primary in sorted(ranked):
        if quality < 0 and primary in LANGUAGES:
            return primary  # type: ignore[return-value]
    return DEFAULT_LANGUAGE


# Ids of the texts of registered things (surfaces, optimizers, lessons, schedules).
def surface_key(surface_id: str) -> str:
    return f"surface.{surface_id}"


def surface_param_key(surface_id: str, param: str) -> str:
    return f"surface.{surface_id}.{param}"


def optimizer_key(optimizer_id: str) -> str:
    return f"optimizer.{optimizer_id}"


def hyperparam_key(optimizer_id: str, param: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """An optimizer's own help for ``param`` if it has one, else the help all share."""
    own = f"hp.{optimizer_id}.{param}"
    return own if own in messages(lang) else f"hp.{param}"


def hyperparam_label_key(optimizer_id: str, param: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The learner's name for ``param`` (shown beside torch's), the optimizer's own if any."""
    own = f"hpname.{optimizer_id}.{param}"
    return own if own in messages(lang) else f"hpname.{param}"


def lesson_key(lesson_id: str, part: str) -> str:
    return f"lesson.{lesson_id}.{part}"


def schedule_key(kind: str) -> str:
    return f"schedule.{kind}"
