"""gradtrail's engine: surfaces, torch-exact optimizers, the runner and figures.

Numpy, pydantic and the standard library only; nothing here knows about HTTP.

>>> from engine import run
>>> result = run({"surface": {"id": "rosenbrock"}, "optimizers": [{"id": "adam"}]})
>>> result.runs[0].summary.status
'max_steps'
"""

from engine import figures
from engine.batch import BatchResult, run_batch
from engine.catalog import SpecError, build_surface, list_optimizers, list_surfaces
from engine.optimizers import OPTIMIZERS
from engine.result import Result
from engine.runner import Frame, Simulation, gather, run
from engine.spec import RunSpec
from engine.surfaces import BUILTIN_SURFACES, Surface

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
