"""The qbXML check itself: it passes Intuit's own samples and fails a message QuickBooks would refuse."""

from __future__ import annotations

import pytest

from tests.contract_checks.qbxml import QbxmlViolation, check_qbxml
from tests.contract_checks.spec_files import SPECS_DIR

SAMPLES = SPECS_DIR / "qbxml" / "samples"


@pytest.mark.parametrize("name", ["InvoiceAddRq.13.0.xml", "CustomerQueryRs_and_InvoiceAddRs_error.13.0.xml"])
def test_the_vendored_samples_pass(name: str) -> None:
    assert check_qbxml((SAMPLES / name).read_text(encoding="utf-8")) == "13.0"


def _invoice(lines_first: bool) -> str:
    ref = "<RefNumber>INV-1</RefNumber>"
    customer = "<CustomerRef><FullName>Acme</FullName></CustomerRef>"
    line = "<InvoiceLineAdd><Desc>Work</Desc><Amount>10.00</Amount></InvoiceLineAdd>"
    body = (customer + line + ref) if lines_first else (customer + ref + line)
    return ('<?xml version="1.0" encoding="utf-8"?><?qbxml version="16.0"?><QBXML>'
            '<QBXMLMsgsRq onError="stopOnError"><InvoiceAddRq requestID="1"><InvoiceAdd>'
            f"{body}</InvoiceAdd></InvoiceAddRq></QBXMLMsgsRq></QBXML>")


def test_element_order_is_checked() -> None:
    assert check_qbxml(_invoice(lines_first=False)) == "16.0"
    with pytest.raises(QbxmlViolation, match="RefNumber"):
        check_qbxml(_invoice(lines_first=True))


@pytest.mark.parametrize("bad, what", [
    ("<Amount>10.001</Amount>", "Amount"),  # AMTTYPE: two decimals at most
    ("<Amount>ten</Amount>", "Amount"),
])
def test_types_are_checked(bad: str, what: str) -> None:
    text = _invoice(lines_first=False).replace("<Amount>10.00</Amount>", bad)
    with pytest.raises(QbxmlViolation, match=what):
        check_qbxml(text)


def test_an_unknown_version_or_a_mismatch_is_refused() -> None:
    with pytest.raises(QbxmlViolation, match="expected 13.0"):
        check_qbxml(_invoice(lines_first=False), version="13.0")
    with pytest.raises(ValueError, match="no vendored"):
        check_qbxml(_invoice(lines_first=False).replace('"16.0"', '"99.0"'))
