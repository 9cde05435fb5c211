"""The plot-alone player: one HTML page for ``/embed``, ``/export`` and ``gradtrail export``.

``player_data`` runs a spec and gathers what the page needs; ``render`` writes the
HTML, either linking plotly.js and the player from this server (embed) or with
everything inline (export), so the file plays from a USB stick with no network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import orjson
import plotly

from engine import RunSpec, Simulation, figures, gather
from engine.presets import PRESETS

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"])
)


def player_data(spec: RunSpec, preset_id: str | None = None) -> dict[str, Any]:
    """Everything the player needs: the figure, every run's arrays, title and caption."""
    result = gather(Simulation(spec))
    lesson = PRESETS.get(preset_id) if preset_id else None
    return {
        "title": lesson.title if lesson else result.surface.name,
        "caption": lesson.caption if lesson else "",
        "contour": orjson.Fragment(figures.contour(result).to_json()),
        "runs": [run.as_dict() for run in result.runs],
        "surface": result.as_dict()["surface"],
        "spec": spec.model_dump(mode="json", exclude_defaults=True),
    }


def script_safe(text: str) -> str:
    """Text placed inside a ``<script>`` element cannot end it early."""
    return text.replace("</", "<\\/")


def render(data: dict[str, Any], inline: bool) -> str:
    """The player page; ``inline`` puts plotly.js, the player script and the CSS in the file."""
    payload = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    context: dict[str, Any] = {
        "title": data["title"],
        "payload": script_safe(payload),
        "inline": inline,
    }
    if inline:
        context["plotly_js"] = script_safe(PLOTLY_JS.read_text(encoding="utf-8"))
        context["player_js"] = script_safe(
            (STATIC / "js" / "player.js").read_text(encoding="utf-8")
        )
        context["player_css"] = (STATIC / "css" / "player.css").read_text(encoding="utf-8")
    return environment.get_template("player.html").render(context)


def export_name(data: dict[str, Any], preset_id: str | None) -> str:
    """A file name that says what the export shows."""
    return f"gradtrail-{preset_id or data['surface']['id']}.html"
