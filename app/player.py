"""The plot-alone player: one HTML page for ``/embed``, ``/export`` and ``gradtrail export``.

``player_data`` runs a spec and gathers what the page needs; ``render`` writes the
HTML, either linking plotly.js and the player from this server (embed) or with
everything inline (export), so the file plays from a USB stick with no network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
import orjson

from gradtrail import RunSpec, Simulation, figures, gather
from gradtrail.app.assets import PLOTLY_CARTESIAN_JS, TEMPLATES, read_static
from gradtrail.app.jsonio import dumps
from gradtrail.app.static_files import plotly_urls, static_url
from gradtrail.catalog import surface_name
from gradtrail.presets import PRESETS
from gradtrail.texts import DEFAULT_LANGUAGE, text

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"])
)
# Every template names a browser file by its versioned URL, made here and nowhere else.
environment.globals.update(static_url=static_url, plotly_urls=plotly_urls)


PLAYER_TEXTS = ("play_pause", "scrubber")  # what the player's own controls say


def player_data(
    spec: RunSpec,
    preset_id: str | None = None,
    check: Callable[[], None] | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """Everything the player needs: the figure, every run's arrays, title and caption,
    all in ``lang`` (which :func:`render` words the controls in).

    ``check()`` runs between frames and may raise to stop (see :func:`gradtrail.gather`).
    """
    result = gather(Simulation(spec, lang), check=check)
    lesson = PRESETS.get(preset_id) if preset_id else None
    return {
        "lang": lang,
        "title": lesson.title(lang) if lesson else surface_name(result.surface, lang),
        "caption": lesson.caption(lang) if lesson else "",
        "contour": orjson.Fragment(figures.contour(result).to_json()),
        "runs": [run.as_dict() for run in result.runs],
        "surface": result.as_dict()["surface"],
        "spec": spec.model_dump(mode="json", exclude_defaults=True),
    }


def script_safe(text: str) -> str:
    """Code placed inside a ``<script>`` element cannot end it early."""
    return text.replace("</", "<\\/")


# In JSON, <, > and & stand only inside strings, where \u escapes mean the same; without
# them no text (a label such as ``<!--<script>``) can end or re-enter the script element.
JSON_IN_HTML = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))


def json_for_script(content: Any) -> str:
    """``content`` as JSON to place inside a ``<script type="application/json">`` element.

    Replaced in bytes, one character after the other: ``str.translate`` over a large
    export's 33 MB took 4 s in one call that held the interpreter lock (and so the event
    loop); three ``bytes.replace`` take milliseconds."""
    encoded = dumps(content)
    for character, escaped in JSON_IN_HTML:
        encoded = encoded.replace(character, escaped)
    return encoded.decode()


def render(data: dict[str, Any] | None, inline: bool, lang: str = DEFAULT_LANGUAGE) -> str:
    """The player page; ``inline`` puts plotly.js, the player script and the CSS in the file."""
    language = data["lang"] if data else lang  # the data's, once there is data
    context: dict[str, Any] = {
        "lang": language,
        "texts": {key: text(key, language) for key in PLAYER_TEXTS},
        "title": data["title"] if data else "gradtrail",
        "payload": json_for_script(data),
        "inline": inline,
    }
    if inline:
        context["plotly_js"] = script_safe(PLOTLY_CARTESIAN_JS.read_text(encoding="utf-8"))
        context["player_js"] = script_safe(read_static("js/player.js"))
        context["player_css"] = read_static("css/player.css")
    return environment.get_template("player.html").render(context)


def export_name(data: dict[str, Any], preset_id: str | None) -> str:
    """A file name that says what the export shows."""
    return f"gradtrail-{preset_id or data['surface']['id']}.html"


def player_page(
    spec: RunSpec,
    preset_id: str | None,
    lang: str,
    inline: bool,
    check: Callable[[], None] | None = None,
) -> str:
    """The player page with its data: run, gathered and written in one go, on the
    compute thread that runs it (a large export's HTML takes seconds to write)."""
    return render(player_data(spec, preset_id, check, lang), inline=inline)


def player_json(
    spec: RunSpec, preset_id: str | None, lang: str, check: Callable[[], None] | None = None
) -> bytes:
    """The player's data as JSON, encoded on the compute thread that ran it."""
    return dumps(player_data(spec, preset_id, check, lang))
