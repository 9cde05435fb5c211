"""gradtrail's engine: surfaces, torch-exact optimizers, the runner and figures.

Numpy, pydantic and plotly (the figures), and the standard library; nothing here
knows about HTTP (tests/engine/test_layering.py).

>>> from gradtrail import run
>>> result = run({"surface": {"id": "rosenbrock"}, "optimizers": [{"id": "adam"}]})
>>> result.runs[0].summary.status
'max_steps'
"""

from gradtrail import figures
from gradtrail.batch import BatchResult, run_batch
from gradtrail.catalog import SpecError, build_surface, list_optimizers, list_surfaces
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.result import Result
from gradtrail.runner import Frame, Simulation, gather, run
from gradtrail.spec import RunSpec
from gradtrail.surfaces import BUILTIN_SURFACES, Surface

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_SURFACES",
    "OPTIMIZERS",
    "BatchResult",
    "Frame",
    "Result",
    "RunSpec",
    "Simulation",
    "SpecError",
    "Surface",
    "build_surface",
    "figures",
    "gather",
    "list_optimizers",
    "list_surfaces",
    "run",
    "run_batch",
]
