"""Schemathesis against the app's own ``/openapi.json``: every answer is one the schema says it can give.

The app runs in-process (ASGI) on a real store with one organisation and its API key, sent the way the schema
declares it (a security scheme, never a header parameter of the operation). Bounded for CI: derandomized, a few
examples per operation; ``LEDGERBRIDGE_FUZZ_EXAMPLES=200`` is the long form.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.schemas import APIOperation
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.organisations import create_organisation

EXAMPLES = int(os.environ.get("LEDGERBRIDGE_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def api_key(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        organisation = create_organisation(session, "Fuzzed Ltd")
        key = issue_api_key(session, organisation.id, "fuzzer")
        session.commit()
        return key


def _modes(operation: APIOperation) -> list[GenerationMode]:
    """Negative examples need something to break: a parameter or a body."""
    has_input = bool(list(operation.iter_parameters())) or bool(list(operation.body))
    return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_input else [GenerationMode.POSITIVE]


def _fuzz(operation: APIOperation, mode: GenerationMode, api_key: str) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_declared(case: Case) -> None:
        case.call_and_validate(headers={"X-API-Key": api_key}, checks=CHECKS)

    answers_as_declared()


def test_every_answer_is_in_the_schema(engine: Engine, api_key: str) -> None:
    """Every operation, positive and negative examples, on one store; every failing operation is reported."""
    app = create_app(engine, run_worker=False)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # the whole API, not a schema that lost its paths
    failures: dict[str, BaseException] = {}
    for operation in operations:
        for mode in _modes(operation):
            try:
                _fuzz(operation, mode, api_key)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup; all reported below
                failures[f"{operation.label} ({mode.value})"] = exc
    assert not failures, "\n\n".join(f"{label}:\n{exc}" for label, exc in failures.items())
