"""HTML pages: the app, the embeddable plot, the offline export, and plotly.js itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from app import urlspec
from app.compute import compute
from app.player import PLOTLY_JS, STATIC, TEMPLATES, export_name, player_data, render

templates = Jinja2Templates(directory=TEMPLATES)
router = APIRouter(include_in_schema=False)
CACHE = {"cache-control": "public, max-age=86400"}

SpecQuery = Annotated[str | None, Query(max_length=urlspec.MAX_SPEC_PARAM)]
PresetQuery = Annotated[str | None, Query(max_length=64)]

__all__ = ["STATIC", "router"]


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """The app; its whole state lives in the URL."""
    return templates.TemplateResponse(request, "index.html", {})


@router.get("/static/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js from the installed plotly package: nothing comes from another host."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers=CACHE)


@router.get("/embed", response_class=HTMLResponse)
async def embed(spec: SpecQuery = None, preset: PresetQuery = None) -> HTMLResponse:
    """The plot alone, for an ``<iframe>`` in slides: ``?theme=light|dark``,
    ``?controls=0|1``, ``?autoplay=0|1``, ``?speed=`` are read by the page itself."""
    run_spec, preset_id = urlspec.decode(spec, preset)
    data = await compute(player_data, run_spec, preset_id)
    return HTMLResponse(render(data, inline=False))


@router.get("/export", response_class=HTMLResponse)
async def export(spec: SpecQuery = None, preset: PresetQuery = None) -> HTMLResponse:
    """A single self-contained HTML file that plays offline (downloaded as an attachment)."""
    run_spec, preset_id = urlspec.decode(spec, preset)
    data = await compute(player_data, run_spec, preset_id)
    disposition = f'attachment; filename="{export_name(data, preset_id)}"'
    return HTMLResponse(render(data, inline=True), headers={"content-disposition": disposition})
