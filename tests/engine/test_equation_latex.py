"""The formulas the page typesets: written by hand for gradient descent, and every
surface's loss and every optimizer's updates parsed by the vendored KaTeX itself."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gradtrail.catalog import build_surface
from gradtrail.equation_latex import loss_latex, update_latex
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.spec import SurfaceSpec

KATEX = Path(__file__).resolve().parents[2] / "static" / "vendor" / "katex.min.js"


def surface(kind: str):
    return build_surface(SurfaceSpec.model_validate({"id": kind, **SURFACE_KINDS[kind].example}))


def test_gradient_descent_on_the_line_fit_reads_as_a_course_writes_it() -> None:
    line = surface("regression")
    assert loss_latex(line) == r"L(w, b) = \frac1n \sum_i \big(t_i - (w x_i + b)\big)^2"
    assert update_latex(line, OPTIMIZERS["gd"].rule) == (
        r"{w}_{t} = {w}_{t-1} - \eta\, g_{w,t},\quad g_{w,t} = \frac{\partial L}{\partial w}",
        r"{b}_{t} = {b}_{t-1} - \eta\, g_{b,t},\quad g_{b,t} = \frac{\partial L}{\partial b}",
    )
    chain = update_latex(surface("chain"), OPTIMIZERS["gd"].rule)
    assert chain[1].startswith(r"{w_2}_{t} = {w_2}_{t-1}") and r"\partial w_2}" in chain[1]
    assert loss_latex(surface("rosenbrock")).startswith("f(x, y) = ")


def test_each_update_names_its_parameter_and_no_bare_p_is_left() -> None:
    line = surface("neuron")
    for optimizer in OPTIMIZERS.values():
        w, b = update_latex(line, optimizer.rule)
        assert "{w}" in w and "{b}" in b and r"\partial w}" in w, optimizer.id
        assert "p_" not in w.replace(r"\prod", "") and "p \\" not in w, (optimizer.id, w)
        assert "g_t" not in w, (optimizer.id, w)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run KaTeX")
def test_katex_parses_every_loss_and_every_update() -> None:
    formulas = []
    for kind in SURFACE_KINDS:
        built = surface(kind)
        formulas.append(loss_latex(built))
        for optimizer in OPTIMIZERS.values():
            formulas.extend(update_latex(built, optimizer.rule))
    script = (
        "const katex = require(process.argv[1]);"
        "const errors = [];"
        "for (const f of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {"
        "  try { katex.renderToString(f, { throwOnError: true }); }"
        "  catch (e) { errors.push(f + ': ' + e.message); } }"
        "console.log(JSON.stringify(errors));"
    )
    done = subprocess.run(
        ["node", "-e", script, str(KATEX)], input=json.dumps(formulas), capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout) == []
    assert len(formulas) > 100


def test_a_network_steps_its_whole_vector_and_its_loss_is_read_on_the_slice() -> None:
    """The optimizer updates θ, every weight at once; a and b only place θ on the plane."""
    network = surface("network")
    assert loss_latex(network) == r"L(a, b) = L(o + a\,d_1 + b\,d_2)"
    (update,) = update_latex(network, OPTIMIZERS["gd"].rule)
    step = r"{\theta}_{t} = {\theta}_{t-1} - \eta\, g_{\theta,t}"
    assert update == step + r",\quad g_{\theta,t} = \nabla_{\theta} L"
