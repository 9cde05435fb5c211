"""HTML pages: the app, the embeddable plot, the offline export, and plotly.js itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import plotly
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from app import urlspec
from engine import Simulation, figures, gather
from engine.presets import PRESETS

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter(include_in_schema=False)

SpecQuery = Annotated[str | None, Query(max_length=urlspec.MAX_SPEC_PARAM)]
PresetQuery = Annotated[str | None, Query(max_length=64)]


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """The app; its whole state lives in the URL."""
    return templates.TemplateResponse(request, "index.html", {})


@router.get("/static/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js from the installed plotly package: nothing comes from another host."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers=CACHE)


CACHE = {"cache-control": "public, max-age=86400"}


def player_data(spec: str | None, preset: str | None) -> dict[str, Any]:
    """Everything the player needs: figures, every run's arrays, the caption."""
    run_spec, preset_id = urlspec.decode(spec, preset)
    result = gather(Simulation(run_spec))
    lesson = PRESETS.get(preset_id) if preset_id else None
    return {
        "title": lesson.title if lesson else result.surface.name,
        "caption": lesson.caption if lesson else "",
        "contour": orjson.Fragment(figures.contour(result).to_json()),
        "runs": [run.as_dict() for run in result.runs],
        "surface": result.as_dict()["surface"],
        "spec": run_spec.model_dump(mode="json", exclude_defaults=True),
    }


def render_player(request: Request, data: dict[str, Any], inline: bool) -> HTMLResponse:
    """The plot-alone page; ``inline`` puts plotly.js, the player and the CSS in the file."""
    payload = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    context: dict[str, Any] = {
        "title": data["title"],
        "payload": payload.replace("</", "<\\/"),  # cannot close the <script> early
        "inline": inline,
    }
    if inline:
        context["plotly_js"] = PLOTLY_JS.read_text(encoding="utf-8").replace(
            "</script", "<\\/script"
        )
        context["player_js"] = (STATIC / "js" / "player.js").read_text(encoding="utf-8")
        context["player_css"] = (STATIC / "css" / "player.css").read_text(encoding="utf-8")
    return templates.TemplateResponse(request, "player.html", context)


@router.get("/embed", response_class=HTMLResponse)
async def embed(
    request: Request, spec: SpecQuery = None, preset: PresetQuery = None
) -> HTMLResponse:
    """The plot alone, autoplaying, sized to its frame: for an ``<iframe>`` in slides."""
    data = await run_in_threadpool(player_data, spec, preset)
    return render_player(request, data, inline=False)


@router.get("/export", response_class=HTMLResponse)
async def export(
    request: Request, spec: SpecQuery = None, preset: PresetQuery = None
) -> HTMLResponse:
    """A single self-contained HTML file that plays offline (downloaded as an attachment)."""
    data = await run_in_threadpool(player_data, spec, preset)
    response = render_player(request, data, inline=True)
    name = preset or data["surface"]["id"]
    response.headers["content-disposition"] = f'attachment; filename="gradtrail-{name}.html"'
    return response
