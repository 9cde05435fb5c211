"""JSON out: orjson writes numpy arrays natively and NaN/Infinity as null."""

from __future__ import annotations

from typing import Any

import orjson

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def dumps(content: Any) -> bytes:
    """Serialize ``content``; never emits NaN or Infinity (orjson writes them as null)."""
    return orjson.dumps(content, option=OPTIONS)
