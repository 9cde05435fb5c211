"""gradtrail's engine: surfaces, torch-exact optimizers, the runner and figures.

Numpy, pydantic and plotly (the figures), and the standard library; nothing here
knows about HTTP (tests/engine/test_layering.py).

>>> from gradtrail import run
>>> result = run({"surface": {"id": "rosenbrock"}, "optimizers": [{"id": "adam"}]})
>>> result.runs[0].summary.status
'max_steps'
"""

import lazy_loader

__version__ = "0.1.0"

# Loaded on first use, so what needs none of it starts without numpy, pydantic and
# plotly: a server's supervisor process (``gradtrail serve --workers N``) is ~30 MB
# smaller. ``from gradtrail import run`` works as with plain imports.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["figures"],
    submod_attrs={
        "batch": ["BatchResult", "run_batch"],
        "catalog": ["SpecError", "build_surface", "list_optimizers", "list_surfaces"],
        "optimizers": ["OPTIMIZERS"],
        "result": ["Result"],
        "runner": ["Frame", "Simulation", "gather", "run"],
        "spec": ["RunSpec"],
        "surfaces": ["BUILTIN_SURFACES", "Surface"],
    },
)
