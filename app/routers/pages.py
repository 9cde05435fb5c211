"""HTML pages: the app, the embeddable plot and the offline export."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from gradtrail import RunSpec
from gradtrail.app import urlspec
from gradtrail.app.assets import STATIC
from gradtrail.app.compute import Admission, admits
from gradtrail.app.connections import MAX_TARGET_BYTES, TARGET_TOO_LONG
from gradtrail.app.costs import (
    panels_answer_bytes,
    panels_run_work,
    run_answer_bytes,
    run_work,
)
from gradtrail.app.deps import LangQuery, SpecDep
from gradtrail.app.jsonio import OrjsonBodyRoute
from gradtrail.app.player import (
    PanelsRefused,
    environment,
    json_for_script,
    player_json,
    player_page,
    render,
    shown_panels,
    with_state,
)
from gradtrail.app.responses import FastJSONResponse
from gradtrail.app.routers.api import page_catalog
from gradtrail.app.routers.static import IMMUTABLE
from gradtrail.figures.style import THEMES
from gradtrail.texts import pick_language, text

templates = Jinja2Templates(env=environment)
router = APIRouter(route_class=OrjsonBodyRoute, include_in_schema=False)
# A page also answers HEAD (link checkers and monitors ask it first): the status and
# headers of GET, and the server sends no body.
PAGE_METHODS = ["GET", "HEAD"]
PAGES = ("/", "/embed", "/export")  # what a ?spec= link opens


async def whole_link(request: Request, spec: Annotated[str | None, Query()] = None) -> str | None:
    """``?spec=``, when the link reached the server whole (uvicorn's parser reads targets
    of up to 65,535 bytes: a longer one arrives cut, and marked so)."""
    if TARGET_TOO_LONG in request.scope.get("extensions", {}) or len(spec or "") > MAX_TARGET_BYTES:
        raise urlspec.LinkTooLong
    return spec


SpecQuery = Annotated[str | None, Depends(whole_link)]
PresetQuery = Annotated[str | None, Query(max_length=64)]
# A page takes any ?lang= and any Accept-Language, however long (an unknown one falls
# back to the browser's, then English): a page is never a 422 for its language.
PageLangQuery = Annotated[str | None, Query(alias="lang")]
AcceptLanguage = Annotated[str | None, Header()]
PanelsQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="the panels shown beside the contour, ids split by commas (backprop, "
        "data, averages; empty for none); without it, the ones the lesson opens",
    ),
]


__all__ = ["router"]


# The page's ES modules, announced up front so the browser fetches them in one wave
# instead of one import level after another (the player is a page of its own).
PAGE_MODULES = sorted(
    path.name for path in (STATIC / "js").glob("*.js") if path.name != "player.js"
)


@cache
def theme_css() -> str:
    """The page's colours in each theme, as CSS custom properties: the first theme's on
    ``:root``, each other's on ``:root[data-theme=NAME]`` (the page sets it from ``?theme=``)."""
    rules = []
    for index, (name, theme) in enumerate(THEMES.items()):
        selector = ":root" if index == 0 else f':root[data-theme="{name}"]'
        colours = " ".join(f"--{key}: {value};" for key, value in theme["css"].items())
        rules.append(f"{selector} {{ {colours} }}")
    return "\n".join(rules)


@router.api_route("/", methods=PAGE_METHODS, response_class=HTMLResponse)
def index(
    request: Request,
    spec: SpecQuery,
    lang: PageLangQuery = None,
    accept_language: AcceptLanguage = None,
) -> HTMLResponse:
    """The app; its whole state lives in the URL (``?lang=`` its language; the page reads
    a ``?spec=`` itself, once the server has seen that it arrived whole)."""
    language = pick_language(lang, accept_language)
    context = {
        "modules": PAGE_MODULES,
        "catalog": json_for_script(page_catalog(language)),
        "lang": language,
        "title": text("title", language),
        "theme_css": theme_css(),
    }
    return templates.TemplateResponse(request, "index.html", context)


LONG_LINK_TEXTS = {
    "title": "long_link.title",
    "why": "long_link.why",
    "fragment": "long_link.fragment",
    "json": "long_link.json",
    "open": "long_link.open",
}


async def link_too_long(request: Request, error: Exception) -> HTMLResponse:
    """A link too long to read whole: a 414 (the view was not served), with a page in the
    request's language that says how to open the view another way."""
    language = pick_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    limit = f"{MAX_TARGET_BYTES:,}"
    texts = {name: text(key, language, limit=limit) for name, key in LONG_LINK_TEXTS.items()}
    context = {"lang": language, "texts": texts}
    return templates.TemplateResponse(request, "link_too_long.html", context, status_code=414)


@dataclass
class PageView:
    """The spec a page shows, the lesson it came from, its language, and whether the
    link named one (an embed without one reads its spec from the fragment)."""

    spec: RunSpec
    preset_id: str | None
    lang: str
    named: bool
    panels: tuple[str, ...] = ()


def panels_of(spec: RunSpec, preset_id: str | None, asked: str | None) -> tuple[str, ...]:
    """The panels a view shows (see :func:`gradtrail.app.player.shown_panels`); ones it
    cannot show are a 422 naming ``panels``."""
    try:
        return shown_panels(spec, preset_id, asked)
    except PanelsRefused as error:
        item = {"loc": ("query", "panels"), "msg": str(error), "type": "value_error"}
        raise RequestValidationError([item]) from None


async def page_view(
    spec: SpecQuery,
    preset: PresetQuery = None,
    lang: PageLangQuery = None,
    accept_language: AcceptLanguage = None,
    panels: PanelsQuery = None,
) -> PageView:
    """The view of a page's link (``?spec=`` or ``?preset=``, else the default lesson)."""
    language = pick_language(lang, accept_language)
    run_spec, preset_id = urlspec.decode(spec, preset, language)
    shown = panels_of(run_spec, preset_id, panels)
    return PageView(run_spec, preset_id, language, named=bool(spec or preset), panels=shown)


async def preset_view(
    preset: PresetQuery = None, lang: LangQuery = "en", panels: PanelsQuery = None
) -> PageView:
    """The view of ``#preset=ID``, which an embed asks ``/api/player`` for."""
    run_spec, preset_id = urlspec.decode(None, preset, lang)
    shown = panels_of(run_spec, preset_id, panels)
    return PageView(run_spec, preset_id, lang, named=True, panels=shown)


async def posted_panels(
    spec: SpecDep, preset: PresetQuery = None, panels: PanelsQuery = None
) -> tuple[str, ...]:
    """The panels of a spec in the body (``POST /export``, ``POST /api/player``)."""
    return panels_of(spec, preset, panels)


PostedPanels = Annotated[tuple[str, ...], Depends(posted_panels)]


def view_work(spec: RunSpec | None, panels: tuple[str, ...]) -> float:
    """A player's run and the panels it draws ahead."""
    if spec is None:
        return 0.0
    return run_work(spec) + panels_run_work(spec, panels)


def view_answer(spec: RunSpec | None, panels: tuple[str, ...]) -> float:
    """A player's runs (with the state its averages panel records) and its panels."""
    if spec is None:
        return 0.0
    return run_answer_bytes(with_state(spec, panels)) + panels_answer_bytes(spec, panels)


PageViewDep = Annotated[PageView, Depends(page_view)]
PresetViewDep = Annotated[PageView, Depends(preset_view)]


async def page_work(view: PageViewDep) -> float:
    return view_work(view.spec if view.named else None, view.panels)


async def page_answer(view: PageViewDep) -> float:
    return view_answer(view.spec if view.named else None, view.panels)


async def preset_work(view: PresetViewDep) -> float:
    return view_work(view.spec, view.panels)


async def preset_answer(view: PresetViewDep) -> float:
    return view_answer(view.spec, view.panels)


async def posted_work(spec: SpecDep, panels: PostedPanels) -> float:
    return view_work(spec, panels)


async def posted_answer(spec: SpecDep, panels: PostedPanels) -> float:
    return view_answer(spec, panels)


PageAdmission = Annotated[Admission, Depends(admits(page_work, page_answer))]
PresetAdmission = Annotated[Admission, Depends(admits(preset_work, preset_answer))]
PostedAdmission = Annotated[Admission, Depends(admits(posted_work, posted_answer))]


@router.api_route("/embed", methods=PAGE_METHODS, response_class=HTMLResponse)
async def embed(view: PageViewDep, admission: PageAdmission) -> Response:
    """The plot alone, for an ``<iframe>`` in slides: ``?theme=light|dark``,
    ``?controls=0|1``, ``?autoplay=0|1``, ``?speed=`` are read by the page itself.

    With ``?spec=`` or ``?preset=`` the paths come inline; with neither, the page
    reads its spec from the fragment (``#spec=…``, never sent here) and asks
    ``/api/player`` for them, so a spec of any size embeds.
    """
    if not view.named:
        page = HTMLResponse.media_type
        return await admission.answer(render, None, False, view.lang, media_type=page)
    return await admission.answer(
        player_page, view.spec, view.preset_id, view.lang, False, admission.budget.check,
        view.panels, media_type=HTMLResponse.media_type,
    )  # fmt: skip


@router.api_route("/export", methods=PAGE_METHODS, response_class=HTMLResponse)
async def export(view: PageViewDep, admission: PageAdmission) -> Response:
    """A single self-contained HTML file that plays offline (downloaded as an attachment),
    with the panels the lesson opens, or ``?panels=``."""
    return await exported(admission, view.spec, view.preset_id, view.lang, view.panels)


@router.post("/export", response_class=HTMLResponse)
async def export_posted(
    spec: SpecDep,
    admission: PostedAdmission,
    panels: PostedPanels,
    preset: PresetQuery = None,
    lang: LangQuery = "en",
) -> Response:
    """The same file for a spec in the body (the page's Export: no spec is too long for
    it); ``?preset=`` gives it the lesson's title, caption and panels (``?panels=``
    others)."""
    return await exported(admission, spec, preset, lang, panels)


async def exported(
    admission: Admission,
    spec: RunSpec,
    preset_id: str | None,
    lang: str,
    panels: tuple[str, ...],
) -> Response:
    """The export file, run and written on a compute thread, as a download."""
    name = f"gradtrail-{preset_id or spec.surface.id}.html"
    download = {"content-disposition": f'attachment; filename="{name}"'}
    return await admission.answer(
        player_page, spec, preset_id, lang, True, admission.budget.check, panels,
        media_type=HTMLResponse.media_type, headers=download,
    )  # fmt: skip


@router.get("/api/player", include_in_schema=False)
async def player_of_preset(view: PresetViewDep, admission: PresetAdmission) -> Response:
    """An embed's data for ``#preset=ID`` (and ``panels=``)."""
    return await admission.answer(
        player_json, view.spec, view.preset_id, view.lang, admission.budget.check,
        view.panels, media_type=FastJSONResponse.media_type,
    )  # fmt: skip


@router.post("/api/player", include_in_schema=False)
async def player_of_spec(
    spec: SpecDep, admission: PostedAdmission, panels: PostedPanels, lang: LangQuery = "en"
) -> Response:
    """An embed's data for ``#spec=…``: every run's arrays, the contour figure, the loss
    plot and the ``panels=`` asked for."""
    return await admission.answer(
        player_json, spec, None, lang, admission.budget.check, panels,
        media_type=FastJSONResponse.media_type,
    )  # fmt: skip


# ReDoc's sidebar shows Redocly's logo from a CDN, which the docs' content policy blocks
# (a console error on every visit): its script is served with that logo dropped, an
# empty picture in its place.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_LOGO = b"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>"


@cache
def redoc_script() -> tuple[str, bytes]:
    """fastapi-offline's ReDoc without the logo from another host, and its version."""
    script = (files("fastapi_offline") / "static" / "redoc.standalone.js").read_bytes()
    script = script.replace(REDOC_LOGO, NO_LOGO)
    return hashlib.sha256(script).hexdigest()[:16], script


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """The API reference by ReDoc, every file from this server."""
    root = request.scope.get("root_path", "")
    version, _ = redoc_script()
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}/redoc/{version}/redoc.standalone.js",
        redoc_favicon_url=f"{root}/static-offline-docs/favicon.png",
        with_google_fonts=False,
    )


@router.get("/redoc/{version}/redoc.standalone.js")
def redoc_js(version: str) -> Response:
    """ReDoc's script, cached for good at its versioned URL."""
    current, script = redoc_script()
    cache_control = IMMUTABLE if version == current else "no-cache"
    return Response(script, media_type="text/javascript", headers={"cache-control": cache_control})
