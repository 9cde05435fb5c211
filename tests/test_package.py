"""The distribution, tried as a new user tries it: a wheel in a fresh venv, far from the checkout.

Builds the sdist and, from it unpacked, the wheel (as ``python -m build`` does), installs
the wheel into a new virtual environment and, from a working directory holding a stray
``app.py`` and ``engine.py`` (names a user's own files may have), serves, exports and
imports ``gradtrail``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # builds, and installs the wheel with its dependencies


def run(command: list[str | Path], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess:
    """Run a command; fail with its output if it fails."""
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, **kwargs
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


def build(source: Path, out: Path) -> str:
    """``python -m build`` (the sdist, then the wheel from the sdist unpacked) of ``source``
    into ``out``; what it printed."""
    done = run([sys.executable, "-m", "build", "--outdir", out, source], cwd=source, timeout=600)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The folder holding the sdist and the wheel, and what the build printed."""
    out = tmp_path_factory.mktemp("dist")
    return out, build(ROOT, out)


@pytest.fixture(scope="module")
def dist(built: tuple[Path, str]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(bin folder of a fresh venv with the wheel installed, a working directory outside)."""
    home = tmp_path_factory.mktemp("user")
    venv.create(home / "venv", with_pip=True)
    bin_folder = home / "venv" / "bin"
    (wheel,) = dist.glob("*.whl")
    run([bin_folder / "python", "-m", "pip", "install", "-q", wheel], cwd=home, timeout=600)
    work = home / "work"
    work.mkdir()
    (work / "app.py").write_text("raise SystemExit('the stray app.py was imported')\n")
    (work / "engine.py").write_text("raise SystemExit('the stray engine.py was imported')\n")
    yield bin_folder, work


def wheel_files(wheel: Path) -> set[str]:
    """The files a wheel installs (its dist-info's RECORD and hashes aside)."""
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if not name.endswith("RECORD")}


def test_the_wheel_is_one_package_with_its_files(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    files = wheel_files(wheel)
    tops = {name.split("/")[0] for name in files if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"gradtrail"}
    for needed in (
        "gradtrail/app/templates/index.html",
        "gradtrail/app/templates/player.html",
        "gradtrail/app/static/js/main.js",
        "gradtrail/app/static/js/player.js",
        "gradtrail/app/static/css/app.css",
        "gradtrail/app/static/vendor/plotly-cartesian.min.js",
        "gradtrail/app/static/vendor/plotly-gl3d.min.js",
        "gradtrail/app/static/vendor/plotly-LICENSE.txt",
        "gradtrail/app/static/vendor/katex.min.js",
        "gradtrail/app/static/vendor/katex.min.css",
        "gradtrail/app/static/vendor/katex-LICENSE.txt",
        "gradtrail/app/static/vendor/fonts/KaTeX_Main-Regular.woff2",
        "gradtrail/app/static/vendor/fonts/KaTeX_Math-Italic.woff2",
        "gradtrail/__main__.py",
    ):
        assert needed in files
    shipped_js = {name.rsplit("/", 1)[1] for name in files if name.endswith(".js")}
    assert {path.name for path in (ROOT / "static" / "js").glob("*.js")} <= shipped_js


def test_the_sdist_holds_the_sources_and_built_the_wheel(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    """The wheel checked above is the one built from the sdist unpacked (a second build of
    the unpacked sdist here built the same files again, in a minute of the suite's time)."""
    dist, log = built
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (unpacked,) = (path for path in tmp_path.iterdir() if path.is_dir())
    assert (unpacked / "static" / "vendor" / "fetch.py").exists()
    assert (unpacked / "tests" / "test_package.py").exists()
    assert "Building wheel from sdist" in log, log[-2000:]


def test_twine_check_passes(dist: Path) -> None:
    done = run([sys.executable, "-m", "twine", "check", "--strict", *dist.iterdir()], cwd=dist)
    assert "PASSED" in done.stdout


def test_the_installed_wheel_imports_and_runs(installed: tuple[Path, Path]) -> None:
    bin_folder, work = installed
    probe = (
        "import gradtrail, sys\n"
        "assert 'app' not in sys.modules and 'engine' not in sys.modules\n"
        "r = gradtrail.run({'surface': {'id': 'rosenbrock'}, 'steps': 20,"
        " 'optimizers': [{'id': 'adam'}]})\n"
        "print(r.runs[0].summary.steps_taken, type(gradtrail.figures.contour(r)).__name__)\n"
    )
    done = run([bin_folder / "python", "-c", probe], cwd=work)
    assert done.stdout.split() == ["20", "Figure"]
    done = run([bin_folder / "gradtrail", "--version"], cwd=work)
    assert done.stdout.strip().startswith("gradtrail ")


def test_the_installed_wheel_exports(installed: tuple[Path, Path]) -> None:
    bin_folder, work = installed
    run([bin_folder / "gradtrail", "export", "--preset", "ravine", "-o", "x.html"], cwd=work)
    html = (work / "x.html").read_text(encoding="utf-8")
    assert "plotly.js (cartesian" in html
    assert 'src="http' not in html
    run(
        [bin_folder / "python", "-m", "gradtrail", "export", "--preset", "ravine", "-o", "y.html"],
        cwd=work,
    )
    assert (work / "y.html").stat().st_size > 100_000


def test_the_installed_wheel_serves(installed: tuple[Path, Path]) -> None:
    bin_folder, work = installed
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    with open(work / "server.log", "w+b") as log:
        server = subprocess.Popen(
            [bin_folder / "gradtrail", "serve", "--port", str(port)],
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            wait_until_up(base, server, log)
            for path in (
                "/",
                "/static/js/main.js",
                "/static/vendor/plotly-cartesian.min.js",
                "/static/vendor/plotly-gl3d.min.js",
                "/embed?preset=ravine",
                "/export?preset=ravine",
                "/docs",
                "/static-offline-docs/swagger-ui-bundle.js",
            ):
                answer = httpx.get(base + path, timeout=30)
                assert answer.status_code == 200, path
                assert answer.content, path
            page = httpx.get(base + "/", timeout=30).text
            versioned = re.findall(r'(?:src|href)="(/static/[0-9a-f]+/[^"]+)"', page)
            assert len(versioned) > 20
            for path in versioned:
                answer = httpx.get(base + path, timeout=30)
                assert answer.status_code == 200, path
                assert "immutable" in answer.headers["cache-control"], path
            spec = {"surface": {"id": "beale"}, "steps": 30, "optimizers": [{"id": "gd"}]}
            answer = httpx.post(f"{base}/api/runs", json=spec, timeout=30)
            assert answer.status_code == 200
            assert len(answer.json()["runs"][0]["x"]) == 31
        finally:
            server.terminate()
            server.wait(timeout=10)
