"""The ``gradtrail`` command line, run as a user runs it."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SERVED, serving


def gradtrail(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script (falling back to the module)."""
    script = shutil.which("gradtrail", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "gradtrail"]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_run_prints_the_result(tmp_path: Path) -> None:
    spec = {"surface": {"id": "beale"}, "steps": 50, "optimizers": [{"id": "adam"}]}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    done = gradtrail("run", str(path))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["runs"][0]["steps_taken"] == 50
    assert len(result["runs"][0]["x"]) == 51


def test_run_reads_standard_input() -> None:
    spec = {"surface": {"id": "saddle"}, "steps": 5, "optimizers": [{"id": "gd"}]}
    done = gradtrail("run", "-", stdin=json.dumps(spec))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["surface"]["id"] == "saddle"


def test_lists_are_json_for_programs() -> None:
    surfaces = json.loads(gradtrail("surfaces", "--json").stdout)
    optimizers = json.loads(gradtrail("optimizers", "--json").stdout)
    assert "himmelblau" in {s["id"] for s in surfaces}
    assert "nadam" in {o["id"] for o in optimizers}


def test_lists_are_tables_for_people() -> None:
    lines = gradtrail("optimizers").stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "name", "torch.optim"]
    adam = next(line for line in lines if line.startswith("adam "))
    assert "torch.optim.Adam(" in adam
    assert "betas=[0.9, 0.999]" in adam
    surfaces = gradtrail("surfaces").stdout.splitlines()
    assert any(line.split()[0] == "rosenbrock" and "a=1, b=100" in line for line in surfaces)


@pytest.mark.parametrize("command", [["gradtrail"], [sys.executable, "-m", "gradtrail"]])
def test_version_has_one_source(command: list[str]) -> None:
    import gradtrail

    if command == ["gradtrail"]:
        command = [shutil.which("gradtrail", path=str(Path(sys.executable).parent)) or "gradtrail"]
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == f"gradtrail {gradtrail.__version__}"
    assert importlib.metadata.version("gradtrail") == gradtrail.__version__


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        ('{"surface": {"id": "rosenbrock"}, "optimizers": []}', "optimizers"),
        (
            '{"surface": {"id": "beale"}, "optimizers": [{"id": "gd", "params": {"lr": -1}}]}',
            "lr",
        ),
        (
            '{"surface": {"id": "rosenbrock"}, "start": [1e300, 1], "optimizers": [{"id": "gd"}]}',
            "start",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(content)
    done = gradtrail("run", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and words in done.stderr


def test_missing_file_exits_2() -> None:
    done = gradtrail("run", "/nonexistent/spec.json")
    assert done.returncode == 2 and "cannot read" in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="reads /dev/zero")
def test_endless_input_is_refused_at_the_body_limit() -> None:
    """``gradtrail run /dev/zero`` ran out of memory; it reads no more than a server takes
    in a request body, and says so in one line (its time is that of a small run's)."""
    began = time.perf_counter()
    small = gradtrail(
        "run", "-", stdin='{"surface": {"id": "beale"}, "optimizers": [{"id": "gd"}]}'
    )
    small_seconds = time.perf_counter() - began
    assert small.returncode == 0, small.stderr
    began = time.perf_counter()
    done = gradtrail("run", "/dev/zero")
    assert time.perf_counter() - began < 3 * small_seconds
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr == "gradtrail: /dev/zero is larger than the limit of 8,388,608 bytes"
        " (GRADTRAIL_MAX_BODY_BYTES)\n"
    )


def test_standard_input_has_the_same_limit_as_a_body() -> None:
    spec = json.dumps(
        {"surface": {"id": "beale"}, "optimizers": [{"id": "gd", "label": "x" * 3000}]}
    )
    command = [sys.executable, "-m", "gradtrail", "run", "-"]
    environment = {**os.environ, "GRADTRAIL_MAX_BODY_BYTES": "2048"}
    done = subprocess.run(command, input=spec, capture_output=True, text=True, timeout=60,
                          env=environment)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "2,048 bytes" in done.stderr


def loaded(pid: int, library: str) -> bool:
    """Whether process ``pid`` has a file whose path contains ``library`` mapped."""
    return library in Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc (Linux only)")
def test_a_server_with_workers_has_a_supervisor_without_the_engine() -> None:
    """``serve --workers 2``: the supervisor imports uvicorn alone (about 30 MB less than
    with numpy, pydantic and plotly); its two workers load the app and the engine."""
    with serving("--workers", "2") as base:
        supervisor = SERVED[base].process.pid
        children = f"/proc/{supervisor}/task/{supervisor}/children"
        deadline = time.monotonic() + 30  # health answered: one worker is up, maybe not both
        while time.monotonic() < deadline:
            pids = map(int, Path(children).read_text().split())
            workers = [pid for pid in pids if loaded(pid, "numpy")]
            if len(workers) == 2:
                break
            time.sleep(0.2)
        assert len(workers) == 2
        assert not loaded(supervisor, "numpy") and not loaded(supervisor, "pydantic_core")
