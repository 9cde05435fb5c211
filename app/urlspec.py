"""``?spec=``: a run spec as base64url (no padding) of its UTF-8 JSON; ``?preset=`` a lesson."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gradtrail import RunSpec
from gradtrail.presets import DEFAULT_PRESET, PRESETS


class LinkTooLong(Exception):
    """A link longer than the server reads (a view in ``?spec=`` past 65,535 bytes): a page
    answers it, saying how to open the view another way."""


def encode(spec: dict[str, Any]) -> str:
    """The ``?spec=`` value of a spec."""
    return base64.urlsafe_b64encode(orjson.dumps(spec)).decode().rstrip("=")


def query_error(name: str, message: str) -> RequestValidationError:
    """A 422 in FastAPI's usual shape, located in the query string."""
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def decode(spec: str | None, preset: str | None, lang: str = "en") -> tuple[RunSpec, str | None]:
    """The spec a page was asked for, and its preset id if it came from one (its run
    labels in ``lang``)."""
    if spec:
        try:
            raw = base64.urlsafe_b64decode(spec + "=" * (-len(spec) % 4))
            data = orjson.loads(raw)
        except (binascii.Error, ValueError, orjson.JSONDecodeError):
            raise query_error("spec", "not base64url-encoded JSON") from None
        try:
            return RunSpec.model_validate(data), None
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("query", "spec", *e["loc"])} for e in error.errors()]
            ) from None
    preset_id = preset or DEFAULT_PRESET
    if preset_id not in PRESETS:
        raise query_error("preset", f"unknown preset '{preset_id}' (known: {', '.join(PRESETS)})")
    return PRESETS[preset_id].run_spec(lang), preset_id
