"""List objects: the shared name space (3100), references (3140), EditSequence (3200), queries and iterators."""

from __future__ import annotations

import pytest

from .conftest import Qb, line


@pytest.mark.parametrize("first, second", [
    ("Customer", "Vendor"), ("Vendor", "Customer"), ("OtherName", "Customer"), ("Employee", "Vendor"),
    ("Customer", "OtherName"),
])
def test_one_name_space_for_customers_vendors_employees_and_other_names(qb: Qb, first: str, second: str) -> None:
    def add(kind: str, name: str) -> str:
        return f"<{kind}AddRq><{kind}Add><Name>{name}</Name></{kind}Add></{kind}AddRq>"

    assert qb.one(add(first, "Northwind Traders")).get("statusCode") == "0"
    clash = qb.one(add(second, "NORTHWIND traders"))
    assert clash.get("statusCode") == "3100"
    assert clash.get("statusMessage") == 'The name "NORTHWIND traders" of the list element is already in use.'


def test_items_and_accounts_have_name_spaces_of_their_own(qb: Qb) -> None:
    qb.customer("Consulting")  # the seed has an item Consulting: a customer may share its name
    rs = qb.one("<ItemServiceAddRq><ItemServiceAdd><Name>consulting</Name><SalesOrPurchase><AccountRef>"
                "<FullName>Services</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>")
    assert rs.get("statusCode") == "3100"


def test_a_reference_to_nothing_is_3140_in_quickbooks_words(qb: Qb) -> None:
    rs = qb.one("<CustomerAddRq><CustomerAdd><Name>Acme</Name><TermsRef><FullName>Net 99</FullName></TermsRef>"
                "</CustomerAdd></CustomerAddRq>")
    assert rs.get("statusCode") == "3140"
    assert rs.get("statusMessage") == ('There is an invalid reference to QuickBooks Terms "Net 99" in the Customer.  '
                                       "QuickBooks error message: Invalid argument.  The specified record does not "
                                       "exist in the list.")
    qb.customer("Acme")
    rs = qb.one(f"<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                f"{line('5.00', item='No such item')}</InvoiceAdd></InvoiceAddRq>")
    assert rs.get("statusCode") == "3140"
    assert 'QuickBooks Item "No such item" in the Invoice line.' in (rs.get("statusMessage") or "")


def test_an_add_answers_identity_and_times(qb: Qb) -> None:
    ret = qb.customer("Acme", "<CompanyName>Acme Ltd</CompanyName><Phone>555-0101</Phone>")
    assert ret.findtext("ListID", "").count("-") == 1
    assert ret.findtext("TimeCreated") == ret.findtext("TimeModified") == "2025-03-01T09:00:00-08:00"
    assert ret.findtext("EditSequence", "").isdigit()
    assert (ret.findtext("Name"), ret.findtext("FullName"), ret.findtext("IsActive")) == ("Acme", "Acme", "true")
    assert (ret.findtext("CompanyName"), ret.findtext("Phone"), ret.findtext("Balance")) == ("Acme Ltd", "555-0101",
                                                                                               "0.00")


def test_a_mod_checks_the_edit_sequence_and_changes_only_what_it_sends(qb: Qb) -> None:
    ret = qb.customer("Acme", "<CompanyName>Acme Ltd</CompanyName><Phone>555-0101</Phone>")
    list_id, first_sequence = ret.findtext("ListID"), ret.findtext("EditSequence")
    qb.clock.advance(60)
    changed = qb.ok(f"<CustomerModRq><CustomerMod><ListID>{list_id}</ListID><EditSequence>{first_sequence}"
                    "</EditSequence><Phone>555-0199</Phone></CustomerMod></CustomerModRq>")
    assert (changed.findtext("Phone"), changed.findtext("CompanyName")) == ("555-0199", "Acme Ltd")
    assert changed.findtext("EditSequence") != first_sequence
    assert changed.findtext("TimeModified") == "2025-03-01T09:01:00-08:00"
    stale = qb.one(f"<CustomerModRq><CustomerMod><ListID>{list_id}</ListID><EditSequence>{first_sequence}"
                   "</EditSequence><Phone>555-0000</Phone></CustomerMod></CustomerModRq>")
    assert stale.get("statusCode") == "3200"
    assert stale.get("statusMessage") == f'The provided edit sequence "{first_sequence}" is out-of-date.'
    unknown = qb.one("<CustomerModRq><CustomerMod><ListID>80009999-1</ListID><EditSequence>1</EditSequence>"
                     "</CustomerMod></CustomerModRq>")
    assert unknown.get("statusCode") == "3120"


def test_a_rename_shows_in_the_references_that_name_it(qb: Qb) -> None:
    ret = qb.customer("Acme")
    qb.invoice("Acme", line("10.00"))
    qb.ok(f"<CustomerModRq><CustomerMod><ListID>{ret.findtext('ListID')}</ListID><EditSequence>"
          f"{ret.findtext('EditSequence')}</EditSequence><Name>Acme Holdings</Name></CustomerMod></CustomerModRq>")
    invoice = qb.ok("<InvoiceQueryRq/>")
    assert invoice.findtext("CustomerRef/FullName") == "Acme Holdings"


def test_sub_customers_have_full_names_and_roll_up(qb: Qb) -> None:
    qb.customer("Acme")
    job = qb.customer("Roof", "<ParentRef><FullName>Acme</FullName></ParentRef>")
    assert (job.findtext("FullName"), job.findtext("Sublevel")) == ("Acme:Roof", "1")
    qb.invoice("Acme:Roof", line("40.00"))
    parent = qb.ok("<CustomerQueryRq><FullName>Acme</FullName></CustomerQueryRq>")
    assert (parent.findtext("Balance"), parent.findtext("TotalBalance")) == ("0.00", "40.00")


def test_queries_by_id_name_filter_date_and_active_status(qb: Qb) -> None:
    acme = qb.customer("Acme")
    qb.clock.advance(3600)
    qb.customer("Beta Stores")
    qb.customer("Gamma", "<IsActive>false</IsActive>")
    names = lambda rs: [ret.findtext("Name") for ret in rs]  # noqa: E731
    assert names(qb.one("<CustomerQueryRq/>")) == ["Acme", "Beta Stores"]  # ActiveOnly by default
    assert names(qb.one("<CustomerQueryRq><ActiveStatus>All</ActiveStatus></CustomerQueryRq>")) == [
        "Acme", "Beta Stores", "Gamma"]
    assert names(qb.one("<CustomerQueryRq><ActiveStatus>All</ActiveStatus>"
                        "<FromModifiedDate>2025-03-01T09:30:00-08:00</FromModifiedDate></CustomerQueryRq>")) == [
        "Beta Stores", "Gamma"]
    assert names(qb.one("<CustomerQueryRq><NameFilter><MatchCriterion>Contains</MatchCriterion><Name>STORE</Name>"
                        "</NameFilter></CustomerQueryRq>")) == ["Beta Stores"]
    by_id = qb.one(f"<CustomerQueryRq><ListID>{acme.findtext('ListID')}</ListID><ListID>80009999-1</ListID>"
                   "</CustomerQueryRq>")
    assert by_id.get("statusCode") == "500" and names(by_id) == ["Acme"]
    assert '"80009999-1"' in (by_id.get("statusMessage") or "")
    nothing = qb.one("<VendorQueryRq><NameFilter><MatchCriterion>StartsWith</MatchCriterion><Name>zzz</Name>"
                     "</NameFilter></VendorQueryRq>")
    assert nothing.get("statusCode") == "1"
    assert nothing.get("statusMessage") == "A query request did not find a matching object in QuickBooks"


def test_the_chart_queries_answer_the_seed(qb: Qb) -> None:
    banks = qb.one("<AccountQueryRq><AccountType>Bank</AccountType></AccountQueryRq>")
    assert [ret.findtext("Name") for ret in banks] == ["Checking"]
    codes = qb.one("<SalesTaxCodeQueryRq/>")
    assert [ret.findtext("Name") for ret in codes] == ["Non", "Tax"]
    items = qb.one("<ItemQueryRq/>")
    assert {ret.tag for ret in items} == {"ItemServiceRet", "ItemNonInventoryRet", "ItemOtherChargeRet",
                                          "ItemSalesTaxRet"}
    terms = qb.one("<TermsQueryRq/>")
    assert {ret.tag for ret in terms} == {"StandardTermsRet", "DateDrivenTermsRet"}
    assert "Check" in [ret.findtext("Name") for ret in qb.one("<PaymentMethodQueryRq/>")]


def test_an_iterator_pages_with_the_remaining_count(qb: Qb) -> None:
    for number in range(7):
        qb.customer(f"Customer {number}")
    first = qb.one("<CustomerQueryRq iterator='Start'><MaxReturned>3</MaxReturned></CustomerQueryRq>")
    iterator_id = first.get("iteratorID")
    assert (len(first), first.get("iteratorRemainingCount")) == (3, "4")
    seen = [ret.findtext("Name") for ret in first]
    remaining = first.get("iteratorRemainingCount")
    while remaining != "0":
        page = qb.one(f"<CustomerQueryRq iterator='Continue' iteratorID='{iterator_id}'><MaxReturned>3</MaxReturned>"
                      "</CustomerQueryRq>")
        seen += [ret.findtext("Name") for ret in page]
        remaining = page.get("iteratorRemainingCount")
    assert seen == [f"Customer {n}" for n in range(7)]
    done = qb.one(f"<CustomerQueryRq iterator='Continue' iteratorID='{iterator_id}'/>")
    assert done.get("statusCode") == "3000"


def test_an_iterator_lives_only_in_the_session_that_started_it(qb: Qb) -> None:
    for number in range(4):
        qb.customer(f"Customer {number}")
    qb.company.begin_session("komet_sales")
    first = qb.one("<CustomerQueryRq iterator='Start'><MaxReturned>2</MaxReturned></CustomerQueryRq>")
    qb.company.end_session()
    qb.company.begin_session("komet_sales")
    later = qb.one(f"<CustomerQueryRq iterator='Continue' iteratorID='{first.get('iteratorID')}'>"
                   "<MaxReturned>2</MaxReturned></CustomerQueryRq>")
    assert later.get("statusCode") == "3000"
    assert later.get("statusMessage") == f'The given object ID "{first.get("iteratorID")}" in the field "iteratorID" ' \
                                         "is invalid."
