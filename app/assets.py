"""Where the files the app serves and inlines are: package data, found through the package.

Everything here is located with :mod:`importlib.resources`, so an installed
wheel works from any directory; nothing is read relative to a source checkout.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import plotly

STATIC = Path(str(files("gradtrail.app.static")))
TEMPLATES = Path(str(files("gradtrail.app.templates")))
VENDOR = STATIC / "vendor"
# The 2-D views: plotly.js' official cartesian dist (contour, heatmap, scatter),
# pinned to the version of the plotly package's full bundle (static/vendor/fetch.py).
PLOTLY_CARTESIAN_JS = VENDOR / "plotly-cartesian.min.js"
# The 3-D view: the full bundle the plotly Python package ships, loaded only when opened.
PLOTLY_FULL_JS = Path(str(files(plotly) / "package_data" / "plotly.min.js"))


def read_static(relative: str) -> str:
    """A text file under ``static/`` (``"js/player.js"``)."""
    return (STATIC / relative).read_text(encoding="utf-8")
