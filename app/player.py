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
from gradtrail.app.costs import RECORD_STEPS
from gradtrail.app.jsonio import dumps
from gradtrail.app.static_files import plotly_urls, static_url
from gradtrail.app.video import REPLAY_SECONDS
from gradtrail.catalog import surface_name
from gradtrail.figures.panel_frames import panel_fault, panel_frames
from gradtrail.panels import PANEL_NAMES
from gradtrail.presets import PRESETS
from gradtrail.texts import DEFAULT_LANGUAGE, text

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"])
)
# Every template names a browser file by its versioned URL, made here and nowhere else.
environment.globals.update(static_url=static_url, plotly_urls=plotly_urls)


PLAYER_TEXTS = ("play_pause", "scrubber")  # what the player's own controls say
# Each plot box's name for a screen reader: the page's names of its panels' buttons.
BOX_TEXTS = {"loss": "figure.loss_title", **PANEL_NAMES}


class PanelsRefused(ValueError):
    """Panels asked for (``panels=``, ``--panels``) that cannot be shown: the message
    says why, for a 422 naming ``panels`` or the command line's one line."""


def shown_panels(spec: RunSpec, preset_id: str | None, asked: str | None) -> tuple[str, ...]:
    """The panels the player shows beside the contour: ``asked`` (ids split by commas,
    empty for none), or when not asked the panels the lesson opens."""
    if asked is None:
        lesson = PRESETS.get(preset_id) if preset_id else None
        return lesson.panels if lesson else ()
    panels = tuple(dict.fromkeys(part.strip() for part in asked.split(",") if part.strip()))
    fault = panel_fault(panels, spec.surface.id)
    if fault:
        raise PanelsRefused(fault)
    return panels


def with_state(spec: RunSpec, panels: tuple[str, ...]) -> RunSpec:
    """The spec as the player runs it: with its optimizer state recorded when the
    averages are shown and runs × steps stay within :data:`RECORD_STEPS` (as the page
    asks; beyond it the averages panel says the state was not recorded)."""
    small = len(spec.optimizers) * spec.steps <= RECORD_STEPS
    if "averages" in panels and small and "state" not in spec.record:
        return spec.model_copy(update={"record": ["state"]})
    return spec


def player_data(
    spec: RunSpec,
    preset_id: str | None = None,
    check: Callable[[], None] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    panels: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Everything the player needs: the figure, every run's arrays, title and caption,
    the loss plot and ``panels`` drawn ahead (see
    :func:`gradtrail.figures.panel_frames.panel_frames`), all in ``lang`` (which
    :func:`render` words the controls in).

    ``check()`` runs between frames and may raise to stop (see :func:`gradtrail.gather`).
    """
    recorded = with_state(spec, panels)
    result = gather(Simulation(recorded, lang), check=check)
    runs = [run.as_dict() for run in result.runs]
    if recorded is not spec:  # recorded for the averages panel, which carries what it draws
        runs = [{k: v for k, v in run.items() if k != "state"} for run in runs]
    lesson = PRESETS.get(preset_id) if preset_id else None
    return {
        "lang": lang,
        "title": lesson.title(lang) if lesson else surface_name(result.surface, lang),
        "caption": lesson.caption(lang) if lesson else "",
        "contour": orjson.Fragment(figures.contour(result).to_json()),
        "runs": runs,
        "surface": result.as_dict()["surface"],
        "spec": spec.model_dump(mode="json", exclude_defaults=True),
        "panels": {
            **panel_frames(result, panels, check or (lambda: None)),
            "names": {box: text(key, lang) for box, key in BOX_TEXTS.items()},
        },
        "replay_seconds": REPLAY_SECONDS,
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
    panels: tuple[str, ...] = (),
) -> str:
    """The player page with its data: run, gathered and written in one go, on the
    compute thread that runs it (a large export's HTML takes seconds to write)."""
    return render(player_data(spec, preset_id, check, lang, panels), inline=inline)


def player_json(
    spec: RunSpec,
    preset_id: str | None,
    lang: str,
    check: Callable[[], None] | None = None,
    panels: tuple[str, ...] = (),
) -> bytes:
    """The player's data as JSON, encoded on the compute thread that ran it."""
    return dumps(player_data(spec, preset_id, check, lang, panels))
