"""Where the files the app serves and inlines are: package data, found through the package.

Everything here is located with :mod:`importlib.resources`, so an installed
wheel works from any directory; nothing is read relative to a source checkout.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

STATIC = Path(str(files("gradtrail.app.static")))
TEMPLATES = Path(str(files("gradtrail.app.templates")))
VENDOR = STATIC / "vendor"
# plotly.js' official partial dists, pinned to the plotly.js version of the plotly
# package (static/vendor/fetch.py). The 2-D views and the players: cartesian (contour,
# heatmap, scatter). The 3-D view, loaded only when it opens: gl3d (surface, scatter3d).
PLOTLY_BUNDLES = {
    "cartesian": "vendor/plotly-cartesian.min.js",
    "gl3d": "vendor/plotly-gl3d.min.js",
}
PLOTLY_CARTESIAN_JS = STATIC / PLOTLY_BUNDLES["cartesian"]
PLOTLY_GL3D_JS = STATIC / PLOTLY_BUNDLES["gl3d"]


def read_static(relative: str) -> str:
    """A text file under ``static/`` (``"js/player.js"``)."""
    return (STATIC / relative).read_text(encoding="utf-8")
