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
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from schemathesis.checks import positive_data_acceptance

from gradtrail.app.main import create_app

EXAMPLES = int(os.environ.get("GRADTRAIL_API_FUZZ_EXAMPLES", "40"))
FOUND = DirectoryBasedExampleDatabase(Path(__file__).parent / "api-fuzz-examples")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
# One pytest test per operation, named by it (schemathesis's own parametrize gives all of
# them one test id, which pytest-xdist cannot hand to its workers one by one).
OPERATIONS = {result.ok().label: result.ok() for result in schema.get_all_operations()}


@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_api_never_fails(label: str) -> None:
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=FOUND,
        # Hypothesis's profile under CI=true derandomizes, which keeps no database: here CI
        # too replays what was found, and draws new cases as a developer's run does.
        derandomize=False,
    )
    def never_fails(case: schemathesis.Case) -> None:
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    # what was found for this operation is kept under its own key, as schemathesis does
    never_fails.hypothesis.inner_test._hypothesis_internal_add_digest = label.encode()
    never_fails()
