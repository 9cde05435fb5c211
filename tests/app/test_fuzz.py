"""Schemathesis over the OpenAPI schema: no 500s, and every response fits its own schema.

Invalid data must be rejected too. Schema-valid data may still be refused with
a 422: some rules (a domain's min < max, hyperparameter names per optimizer)
span several fields and JSON Schema cannot say them, so that check is off.

Each operation gets ``GRADTRAIL_API_FUZZ_EXAMPLES`` examples (40; more for a longer
hunt). A failing example is kept in ``tests/app/api-fuzz-examples/`` (Hypothesis's
example database) and tried first in every later run, under CI too; commit it with the
fix, so CI replays it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from schemathesis.checks import positive_data_acceptance

from gradtrail.app.main import create_app

EXAMPLES = int(os.environ.get("GRADTRAIL_API_FUZZ_EXAMPLES", "40"))


class KeptExamples(ExampleDatabase):
    """Hypothesis's example database in a folder that only grows: what once failed is
    replayed in every later run. Hypothesis deletes an example that no longer fails (a
    fixed bug) and keeps only the shrunk form of one that does; here neither is lost, so
    the committed examples stay in the working tree after a run."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = DirectoryBasedExampleDatabase(folder)

    def save(self, key: bytes, value: bytes) -> None:
        self.folder.save(key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self.folder.fetch(key)

    def delete(self, key: bytes, value: bytes) -> None:
        pass  # kept: a fixed bug's example guards against its return

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.folder.save(dest, value)  # kept under its first key too


FOUND = KeptExamples(Path(__file__).parent / "api-fuzz-examples")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


def never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def operation_test(method: str, path: str) -> Callable[..., None]:
    """Schemathesis's test of one operation, with all its phases (examples, boundary
    values, fuzzing; valid and invalid data): one pytest test per operation, named by it,
    which pytest-xdist can hand to a worker on its own (schemathesis's parametrize over the
    whole schema gives every operation one test id)."""
    test = schema.include(method=method, path=path).parametrize()(never_fails)
    return pytest.mark.slow(
        settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=FOUND,
            # Hypothesis's profile under CI=true derandomizes, which keeps no database: here
            # CI too replays what was found, and draws new cases as a developer's run does.
            derandomize=False,
        )(test)
    )


for _operation in (result.ok() for result in schema.get_all_operations()):
    _name = re.sub(r"\W+", "_", f"{_operation.method} {_operation.path}").strip("_").lower()
    globals()[f"test_api_never_fails_{_name}"] = operation_test(_operation.method, _operation.path)
