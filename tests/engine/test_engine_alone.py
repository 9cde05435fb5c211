"""The engine imports no web code: it runs and draws with the web packages unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

WEB = ("fastapi", "starlette", "uvicorn", "jinja2", "httpx", "anyio", "orjson")


def test_the_engine_runs_and_draws_without_any_web_package() -> None:
    script = textwrap.dedent(
        f"""
        import importlib.abc, sys

        class Blocked(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {WEB!r}:
                    raise ImportError(f"blocked: {{name}}")
                return None

        sys.meta_path.insert(0, Blocked())
        import gradtrail
        from gradtrail import figures, run, run_batch
        from gradtrail.sweep import SweepSpec, Sweep
        result = run({{"surface": {{"id": "rosenbrock"}}, "steps": 20,
                      "optimizers": [{{"id": "adam"}}, {{"id": "rprop"}}]}})
        figures.contour(result).to_json()
        loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({WEB!r}))
        print("loaded:", loaded)
        """
    )
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "loaded: []"
