"""The engine imports no web code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
WEB = {"fastapi", "starlette", "uvicorn", "jinja2", "httpx", "gradtrail.app", "app"}


def test_importing_the_engine_loads_no_web_code() -> None:
    """Nor does running a spec and drawing it."""
    probe = (
        "import sys, gradtrail, gradtrail.figures, gradtrail.batch, gradtrail.sweep\n"
        "result = gradtrail.run({'surface': {'id': 'rosenbrock'}, 'steps': 20,\n"
        "                        'optimizers': [{'id': 'adam'}, {'id': 'rprop'}]})\n"
        "gradtrail.figures.contour(result).to_json()\n"
        f"web = {sorted(WEB)!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in web or\n"
        "             any(m.startswith(w + '.') for w in web)))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


def test_no_engine_module_names_web_code() -> None:
    """Also the modules the probe above does not load; ``__main__`` is the program's entry."""
    for path in ENGINE.rglob("*.py"):
        if path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert not any(name == w or name.startswith(w + ".") for w in WEB), (path, name)
