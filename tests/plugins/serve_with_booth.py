"""``python -m tests.plugins.serve_with_booth PORT``: a server whose registry holds Booth,
added as a plug-in adds a surface (one entry and its texts) before the app is imported."""

from __future__ import annotations

import sys

import uvicorn

from tests.plugins import booth

if __name__ == "__main__":
    booth.add()
    uvicorn.run("gradtrail.app.main:app", host="127.0.0.1", port=int(sys.argv[1]))
