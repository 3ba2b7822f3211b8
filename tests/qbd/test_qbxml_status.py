"""One table says what each QuickBooks statusCode means to ledgerbridge."""

from __future__ import annotations

import pytest

from ledgerbridge.packages.qbd.qbxml.responses import parse_response
from ledgerbridge.packages.qbd.qbxml.status import STATUS_TABLE, Action, classify
from ledgerbridge.store.models.sync import FailureType
from tests.qbd import qbxml_answers as answers


@pytest.mark.parametrize("code, severity, action, failure_type", [
    (0, "Info", Action.OK, None),
    (1, "Info", Action.EMPTY, None),
    (500, "Warn", Action.WARNING, None),
    (530, "Warn", Action.WARNING, None),
    (1000, "Error", Action.RETRY_LATER, "retriable"),
    (1060, "Error", Action.REFUSE, "system"),
    (3000, "Error", Action.REFUSE, "config"),
    (3100, "Error", Action.ADOPT, "data"),
    (3140, "Error", Action.REFUSE, "config"),
    (3170, "Error", Action.REFUSE, "system"),
    (3171, "Error", Action.REFUSE, "system"),
    (3180, "Error", Action.REFUSE, "system"),
    (3200, "Error", Action.REREAD_RETRY, "retriable"),
    (3210, "Error", Action.REFUSE, "data"),
    (3260, "Error", Action.REFUSE, "config"),
    (9101, "Error", Action.REFUSE, "system"),
    (3999, "Error", Action.REFUSE, "data"),
])
def test_the_codes_the_issue_lists(code: int, severity: str, action: Action, failure_type: str | None) -> None:
    verdict = classify(code, severity, "QuickBooks says so")
    assert (verdict.action, verdict.failure_type) == (action, failure_type)
    assert verdict.ok == (action in (Action.OK, Action.EMPTY, Action.WARNING))
    if not verdict.ok:
        assert verdict.hint, f"{code} has no hint for the user"


def test_the_message_is_kept_verbatim_with_the_code() -> None:
    clash = parse_response(answers.ERRORS).result("c-1")
    verdict = classify(clash.status_code, clash.severity, clash.message)
    assert verdict.text() == 'The name "Acme Corp" of the list element is already in use. (QuickBooks status 3100)'


def test_a_locked_record_is_retried_rather_than_refused() -> None:
    saving = parse_response(answers.ERRORS).result("b-1")
    verdict = classify(saving.status_code, saving.severity, saving.message)
    assert (verdict.action, verdict.failure_type) == (Action.RETRY_LATER, "retriable")
    assert classify(3180, "Error", "There was an error when saving a Bill.").action is Action.REFUSE


def test_an_unknown_code_is_read_by_its_severity() -> None:
    assert classify(12345, "Error").action is Action.REFUSE
    assert classify(12345, "Info").action is Action.WARNING


def test_every_failure_type_is_one_the_engine_records() -> None:
    known = {f.value for f in FailureType}
    assert {rule.failure_type for rule in STATUS_TABLE} - {None} <= known
    for rule in STATUS_TABLE:
        assert (rule.failure_type is None) == (rule.action in (Action.OK, Action.EMPTY, Action.WARNING)), rule
