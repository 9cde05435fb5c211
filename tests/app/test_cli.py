"""The ``gradtrail`` command line, run as a user runs it."""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import json
import os
import shutil
import socket
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


def one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """The CLI's refusal: exit status 2, nothing on stdout, one line on stderr."""
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("gradtrail"), done.stderr
    for word in words:
        assert word in done.stderr


def test_run_takes_a_lesson() -> None:
    from gradtrail.presets import PRESETS

    done = gradtrail("run", "--preset", "ravine", "--csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    lesson = PRESETS["ravine"].spec
    assert len({row["label"] for row in rows}) == len(lesson["optimizers"])
    assert max(int(row["step"]) for row in rows) == lesson["steps"]
    one_line_error(gradtrail("run", "--preset", "nope"), "unknown preset 'nope'", "ravine")
    one_line_error(gradtrail("run"), "--preset")
    one_line_error(gradtrail("run", "spec.json", "--preset", "ravine"), "one of them")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    from gradtrail.app.cli import parser

    (action,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_is_described_with_its_default(name: str) -> None:
    """Each option of each command says what it does, and its default where it has one
    (read from the parser itself, so a default written once shows in --help)."""
    command = subcommands()[name]
    text = " ".join(command.format_help().split())  # argparse wraps lines
    for action in command._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{name} {action.dest} has no description"
        if action.option_strings and action.default not in (None, False):
            assert f"(default: {action.default})" in text, (name, action.dest)


def test_serve_help_names_its_defaults() -> None:
    text = " ".join(gradtrail("serve", "--help").stdout.split())
    assert "(default: 127.0.0.1)" in text and "(default: 8000)" in text
    assert "(default: 1)" in text


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--port", "99999"], "65,535"),
        (["--port", "0"], "--port"),
        (["--port", "http"], "--port"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_serve_checks_its_options_before_starting(options: list[str], words: str) -> None:
    one_line_error(gradtrail("serve", *options), words)


def test_a_taken_port_is_one_line_and_status_2() -> None:
    """Not uvicorn's "[Errno 98] …" log lines and status 3."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_line_error(gradtrail("serve", "--port", str(port)), f"port {port}", "in use")


def test_export_checks_its_output_before_any_work(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "x.html"
    one_line_error(gradtrail("export", "--preset", "ravine", "-o", str(missing)), "no directory")
    one_line_error(gradtrail("export", "--preset", "ravine", "-o", str(tmp_path)), "directory")
    one_line_error(
        gradtrail("export", "--preset", "ravine", "-o", str(tmp_path / "x.avi")), ".avi", "mp4"
    )
    one_line_error(
        gradtrail("export", "--preset", "ravine", "-o", "x.mp4", "--width", "0"), "--width"
    )
    one_line_error(
        gradtrail("export", "--preset", "ravine", "-o", "x.mp4", "--seconds", "-1"), "--seconds"
    )
    assert list(tmp_path.iterdir()) == []


def test_surfaces_prints_formulas_as_text() -> None:
    lines = gradtrail("surfaces").stdout.splitlines()
    assert not [line for line in lines if "\\" in line or "{" in line]
    rosenbrock = next(line for line in lines if line.startswith("rosenbrock "))
    assert rosenbrock.endswith("(a - x)² + b (y - x²)²")
    quadratic = next(line for line in lines if line.startswith("quadratic "))
    assert "λ₁ u² + λ₂ v²" in quadratic and "x cos θ + y sin θ" in quadratic


def test_every_kind_prints_its_formula_without_latex_left() -> None:
    """Each registered surface's formula (the chain's hat and operator names too) reads as
    text: no backslash, brace, or a function name split in two."""
    from gradtrail.app.formula_text import plain_formula
    from gradtrail.catalog import list_surfaces
    from gradtrail.chain import ACTIVATIONS, chain_formula
    from gradtrail.neuron import LOSSES

    formulas = [s["formula"] for s in list_surfaces()]
    formulas += [chain_formula(a, loss) for a in ACTIVATIONS for loss in LOSSES]
    for formula in formulas:
        shown = plain_formula(formula)
        assert not any(mark in shown for mark in "\\{}"), shown
        assert "tan h" not in shown and "operatorname" not in shown and "hat" not in shown, shown
