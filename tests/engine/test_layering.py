"""The engine imports no web code."""

from __future__ import annotations

import subprocess
import sys


def test_engine_imports_no_web_code() -> None:
    probe = (
        "import sys, engine, engine.figures, engine.batch\n"
        "web = {'fastapi', 'starlette', 'uvicorn', 'app', 'jinja2', 'httpx'}\n"
        "print(sorted(web & {name.split('.')[0] for name in sys.modules}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"
