"""Schemathesis over the OpenAPI schema: no 500s, and every response fits its own schema.

Invalid data must be rejected too. Schema-valid data may still be refused with
a 422: some rules (a domain's min < max, hyperparameter names per optimizer)
span several fields and JSON Schema cannot say them, so that check is off.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from gradtrail.app.main import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
