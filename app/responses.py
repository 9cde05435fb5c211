"""A JSON response written by orjson: numpy arrays natively, never NaN or Infinity."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from gradtrail.app.jsonio import dumps


class FastJSONResponse(JSONResponse):
    """``application/json`` through :func:`app.jsonio.dumps`."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
