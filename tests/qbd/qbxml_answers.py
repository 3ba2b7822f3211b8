"""Hand-written QuickBooks answers (``QBXMLMsgsRs`` documents) as QuickBooks Desktop writes them: the tests parse
them, and each is first checked against the qbXML schema (``test_every_answer_passes_the_schema``), so the
readers are tested on answers QuickBooks could really give, in the XSD's element order."""

from __future__ import annotations

HEAD = '<?xml version="1.0" ?>'


def message(*responses: str, attributes: str = "") -> str:
    return f"{HEAD}<QBXML><QBXMLMsgsRs{attributes}>{''.join(responses)}</QBXMLMsgsRs></QBXML>"


def _ok(request_id: str) -> str:
    return f'requestID="{request_id}" statusCode="0" statusSeverity="Info" statusMessage="Status OK"'


INVOICE_RET = (
    "<InvoiceRet><TxnID>1A2B-1700000000</TxnID><TimeCreated>2026-12-02T10:00:00-08:00</TimeCreated>"
    "<TimeModified>2026-12-05T10:11:12-08:00</TimeModified><EditSequence>1700000005</EditSequence>"
    "<TxnNumber>42</TxnNumber><CustomerRef><ListID>80000001-1700000000</ListID><FullName>Acme Corp</FullName>"
    "</CustomerRef><ARAccountRef><FullName>Accounts Receivable</FullName></ARAccountRef><TxnDate>2026-12-02</TxnDate>"
    "<RefNumber>INV-1001</RefNumber><DueDate>2027-01-01</DueDate><Subtotal>100.10</Subtotal>"
    "<SalesTaxPercentage>20.0</SalesTaxPercentage><SalesTaxTotal>20.02</SalesTaxTotal>"
    "<AppliedAmount>-70.00</AppliedAmount><BalanceRemaining>50.12</BalanceRemaining>"
    "<CurrencyRef><FullName>British Pound Sterling</FullName></CurrencyRef><Memo>Order SO-5002</Memo>"
    "<IsPaid>false</IsPaid><IsTaxIncluded>false</IsTaxIncluded>"
    "<ExternalGUID>{0A1B2C3D-0000-4000-8000-000000000001}</ExternalGUID>"
    "<LinkedTxn><TxnID>PAY-1</TxnID><TxnType>ReceivePayment</TxnType><TxnDate>2026-12-06</TxnDate>"
    "<RefNumber>BACS-1</RefNumber><LinkType>AMTTYPE</LinkType><Amount>-50.00</Amount></LinkedTxn>"
    "<LinkedTxn><TxnID>CM-1</TxnID><TxnType>CreditMemo</TxnType><TxnDate>2026-12-07</TxnDate>"
    "<RefNumber>CN-2001</RefNumber><LinkType>AMTTYPE</LinkType><Amount>-20.00</Amount></LinkedTxn>"
    "<InvoiceLineRet><TxnLineID>1A2C-1700000000</TxnLineID><ItemRef><FullName>Sales to account 4000</FullName>"
    "</ItemRef><Desc>Oak shelf 900mm</Desc><Quantity>2</Quantity><Rate>42.50</Rate><Amount>85.00</Amount>"
    "<SalesTaxCodeRef><FullName>S</FullName></SalesTaxCodeRef></InvoiceLineRet>"
    "<InvoiceLineRet><TxnLineID>1A2D-1700000000</TxnLineID><ItemRef><FullName>Sales to account 4000</FullName>"
    "</ItemRef><Desc>Fixings</Desc><Amount>15.10</Amount><SalesTaxCodeRef><FullName>S</FullName>"
    "</SalesTaxCodeRef></InvoiceLineRet></InvoiceRet>")

INVOICE_ADD_OK = message(f'<InvoiceAddRs {_ok("inv-1")}>{INVOICE_RET}</InvoiceAddRs>')

BILL_RET = (
    "<BillRet><TxnID>B-1</TxnID><TimeCreated>2026-12-03T09:00:00+00:00</TimeCreated>"
    "<TimeModified>2026-12-03T09:00:00+00:00</TimeModified><EditSequence>1700000100</EditSequence>"
    "<TxnNumber>7</TxnNumber><VendorRef><ListID>V-1</ListID><FullName>Timber &amp; Co</FullName></VendorRef>"
    "<APAccountRef><FullName>Accounts Payable</FullName></APAccountRef><TxnDate>2026-12-03</TxnDate>"
    "<DueDate>2027-01-02</DueDate><AmountDue>149.00</AmountDue><RefNumber>PO-7 SUP-881</RefNumber>"
    "<Memo>Komet</Memo><IsPaid>true</IsPaid><ExternalGUID>{0A1B2C3D-0000-4000-8000-000000000002}</ExternalGUID>"
    "<LinkedTxn><TxnID>BP-1</TxnID><TxnType>BillPaymentCheck</TxnType><TxnDate>2026-12-10</TxnDate>"
    "<RefNumber>101</RefNumber><LinkType>AMTTYPE</LinkType><Amount>-149.00</Amount></LinkedTxn>"
    "<ExpenseLineRet><TxnLineID>E-1</TxnLineID><AccountRef><FullName>Purchases</FullName></AccountRef>"
    "<Amount>120.00</Amount><TaxAmount>24.00</TaxAmount><Memo>Timber</Memo></ExpenseLineRet>"
    "<ItemLineRet><TxnLineID>I-1</TxnLineID><ItemRef><FullName>Brackets</FullName></ItemRef><Desc>Brackets</Desc>"
    "<Quantity>4</Quantity><Cost>1.25</Cost><Amount>5.00</Amount></ItemLineRet>"
    "<OpenAmount>0.00</OpenAmount></BillRet>")

CREDIT_MEMO_RET = (
    "<CreditMemoRet><TxnID>CM-1</TxnID><TimeCreated>2026-12-07T09:00:00</TimeCreated>"
    "<TimeModified>2026-12-07T09:00:00</TimeModified><EditSequence>3</EditSequence>"
    "<CustomerRef><ListID>80000001-1700000000</ListID></CustomerRef><TxnDate>2026-12-07</TxnDate>"
    "<RefNumber>CN-2001</RefNumber><Subtotal>25.00</Subtotal><SalesTaxTotal>5.00</SalesTaxTotal>"
    "<TotalAmount>30.00</TotalAmount><CreditRemaining>10.00</CreditRemaining>"
    "<CreditMemoLineRet><TxnLineID>C-1</TxnLineID><Desc>Returned</Desc><Amount>25.00</Amount>"
    "</CreditMemoLineRet></CreditMemoRet>")

VOIDED_VENDOR_CREDIT_RET = (
    "<VendorCreditRet><TxnID>VC-1</TxnID><EditSequence>9</EditSequence><VendorRef><ListID>V-1</ListID></VendorRef>"
    "<TxnDate>2026-12-08</TxnDate><CreditAmount>0.00</CreditAmount><RefNumber>SUP-CR-1</RefNumber>"
    "<Memo>VOID: returned goods</Memo><OpenAmount>0.00</OpenAmount></VendorCreditRet>")

DOCUMENTS_QUERY = message(
    f'<BillQueryRs {_ok("b-q")} retCount="1">{BILL_RET}</BillQueryRs>',
    f'<CreditMemoQueryRs {_ok("c-q")} retCount="1">{CREDIT_MEMO_RET}</CreditMemoQueryRs>',
    f'<VendorCreditQueryRs {_ok("v-q")} retCount="1">{VOIDED_VENDOR_CREDIT_RET}</VendorCreditQueryRs>')

PAYMENTS_PAGE = message(
    f'<ReceivePaymentQueryRs {_ok("pay-1")} retCount="2" iteratorRemainingCount="3" '
    'iteratorID="{eb05f701-e727-472f-8ade-6753c4f67a46}">'
    "<ReceivePaymentRet><TxnID>PAY-1</TxnID><TimeCreated>2026-12-06T08:00:00-05:00</TimeCreated>"
    "<TimeModified>2026-12-06T08:30:00-05:00</TimeModified><EditSequence>11</EditSequence><TxnNumber>5</TxnNumber>"
    "<CustomerRef><ListID>80000001-1700000000</ListID><FullName>Acme Corp</FullName></CustomerRef>"
    "<TxnDate>2026-12-06</TxnDate><RefNumber>BACS-1</RefNumber><TotalAmount>75.00</TotalAmount>"
    "<PaymentMethodRef><FullName>BACS</FullName></PaymentMethodRef><Memo>thanks</Memo>"
    "<DepositToAccountRef><ListID>A-BANK</ListID><FullName>Bank</FullName></DepositToAccountRef>"
    "<UnusedPayment>5.00</UnusedPayment><UnusedCredits>0.00</UnusedCredits>"
    "<AppliedToTxnRet><TxnID>1A2B-1700000000</TxnID><TxnType>Invoice</TxnType><TxnDate>2026-12-02</TxnDate>"
    "<RefNumber>INV-1001</RefNumber><BalanceRemaining>50.12</BalanceRemaining><Amount>50.00</Amount>"
    "<LinkedTxn><TxnID>CM-1</TxnID><TxnType>CreditMemo</TxnType><TxnDate>2026-12-07</TxnDate>"
    "<RefNumber>CN-2001</RefNumber><LinkType>AMTTYPE</LinkType><Amount>-20.00</Amount></LinkedTxn>"
    "</AppliedToTxnRet>"
    "<AppliedToTxnRet><TxnID>INV-2</TxnID><TxnType>Invoice</TxnType><TxnDate>2026-12-03</TxnDate>"
    "<RefNumber>INV-1002</RefNumber><BalanceRemaining>0.00</BalanceRemaining><Amount>20.00</Amount>"
    "</AppliedToTxnRet></ReceivePaymentRet>"
    "<ReceivePaymentRet><TxnID>PAY-2</TxnID><TimeModified>2026-12-06T09:00:00+00:00</TimeModified>"
    "<EditSequence>12</EditSequence><CustomerRef><ListID>80000002-1700000000</ListID></CustomerRef>"
    "<TxnDate>2026-12-06</TxnDate><TotalAmount>300.00</TotalAmount><UnusedPayment>300.00</UnusedPayment>"
    "</ReceivePaymentRet></ReceivePaymentQueryRs>")

BILL_PAYMENTS = message(
    f'<BillPaymentCheckQueryRs {_ok("bp-1")} retCount="1">'
    "<BillPaymentCheckRet><TxnID>BP-1</TxnID><TimeModified>2026-12-10T12:00:00+00:00</TimeModified>"
    "<EditSequence>4</EditSequence><PayeeEntityRef><ListID>V-1</ListID><FullName>Timber &amp; Co</FullName>"
    "</PayeeEntityRef><TxnDate>2026-12-10</TxnDate><BankAccountRef><ListID>A-BANK</ListID></BankAccountRef>"
    "<Amount>149.00</Amount><RefNumber>101</RefNumber><IsToBePrinted>false</IsToBePrinted>"
    "<AppliedToTxnRet><TxnID>B-1</TxnID><TxnType>Bill</TxnType><TxnDate>2026-12-03</TxnDate>"
    "<RefNumber>PO-7 SUP-881</RefNumber><BalanceRemaining>0.00</BalanceRemaining><Amount>149.00</Amount>"
    "</AppliedToTxnRet></BillPaymentCheckRet></BillPaymentCheckQueryRs>")

ERRORS = message(
    '<CustomerAddRs requestID="c-1" statusCode="3100" statusSeverity="Error" statusMessage="The name &quot;Acme '
    'Corp&quot; of the list element is already in use." />',
    '<InvoiceModRs requestID="im-1" statusCode="3200" statusSeverity="Error" statusMessage="The provided edit '
    'sequence &quot;1700000001&quot; is out-of-date. " />',
    '<InvoiceQueryRs requestID="q-1" statusCode="1" statusSeverity="Info" statusMessage="A query request did not '
    'find a matching object in QuickBooks" />',
    '<BillAddRs requestID="b-1" statusCode="3180" statusSeverity="Error" statusMessage="There was an error when '
    'saving a Bill.  QuickBooks error message: This list has been modified by another user." />')

RECOVERED = message(
    '<InvoiceAddRs requestID="inv-7" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
    "<ErrorRecovery><TxnID>1A2B-1700000000</TxnID><TxnNumber>42</TxnNumber><EditSequence>1700000005</EditSequence>"
    "<ExternalGUID>{0A1B2C3D-0000-4000-8000-000000000001}</ExternalGUID></ErrorRecovery></InvoiceAddRs>",
    attributes=' newMessageSetID="set-7" messageSetStatusCode="0"')

VOID_AND_DELETED = message(
    f'<TxnVoidRs {_ok("x-1")}><TxnVoidType>Invoice</TxnVoidType><TxnID>1A2B-1700000000</TxnID>'
    "<TimeModified>2026-12-09T10:00:00+00:00</TimeModified><RefNumber>INV-1001</RefNumber></TxnVoidRs>",
    f'<TxnDeletedQueryRs {_ok("d-1")} retCount="1"><TxnDeletedRet><TxnDelType>ReceivePayment</TxnDelType>'
    "<TxnID>PAY-9</TxnID><TimeCreated>2026-12-01T10:00:00+00:00</TimeCreated>"
    "<TimeDeleted>2026-12-09T11:00:00+00:00</TimeDeleted><RefNumber>CHQ-9</RefNumber></TxnDeletedRet>"
    "</TxnDeletedQueryRs>")

CHART = message(
    f'<AccountQueryRs {_ok("a-1")} retCount="4">'
    "<AccountRet><ListID>A-INC</ListID><EditSequence>1</EditSequence><Name>Shelving</Name>"
    "<FullName>Sales:Shelving</FullName><IsActive>true</IsActive><Sublevel>1</Sublevel><AccountType>Income"
    "</AccountType><AccountNumber>4000</AccountNumber></AccountRet>"
    "<AccountRet><ListID>A-EXP</ListID><Name>Purchases</Name><FullName>Purchases</FullName><IsActive>true"
    "</IsActive><AccountType>CostOfGoodsSold</AccountType></AccountRet>"
    "<AccountRet><ListID>A-BANK</ListID><Name>Bank</Name><FullName>Bank</FullName><IsActive>true</IsActive>"
    "<AccountType>Bank</AccountType><AccountNumber>1200</AccountNumber></AccountRet>"
    "<AccountRet><ListID>A-OLD</ListID><Name>Old sales</Name><FullName>Old sales</FullName><IsActive>false"
    "</IsActive><AccountType>Income</AccountType></AccountRet></AccountQueryRs>",
    f'<SalesTaxCodeQueryRs {_ok("t-1")} retCount="3">'
    "<SalesTaxCodeRet><ListID>T-S</ListID><Name>S</Name><IsActive>true</IsActive><IsTaxable>true</IsTaxable>"
    "<Desc>Standard</Desc><ItemPurchaseTaxRef><FullName>VAT 20% purchases</FullName></ItemPurchaseTaxRef>"
    "<ItemSalesTaxRef><FullName>VAT 20%</FullName></ItemSalesTaxRef></SalesTaxCodeRet>"
    "<SalesTaxCodeRet><ListID>T-Z</ListID><Name>Z</Name><IsActive>true</IsActive><IsTaxable>true</IsTaxable>"
    "<Desc>Zero rated</Desc><ItemSalesTaxRef><FullName>VAT 0%</FullName></ItemSalesTaxRef></SalesTaxCodeRet>"
    "<SalesTaxCodeRet><ListID>T-O</ListID><Name>O</Name><IsActive>true</IsActive><IsTaxable>false</IsTaxable>"
    "<Desc>Outside the scope</Desc></SalesTaxCodeRet></SalesTaxCodeQueryRs>",
    f'<ItemQueryRs {_ok("i-1")} retCount="3">'
    "<ItemServiceRet><ListID>I-1</ListID><EditSequence>2</EditSequence><Name>Sales to account 4000</Name>"
    "<FullName>Sales to account 4000</FullName><IsActive>true</IsActive><SalesOrPurchase><AccountRef>"
    "<ListID>A-INC</ListID></AccountRef></SalesOrPurchase>"
    "<ExternalGUID>{0A1B2C3D-0000-4000-8000-000000000003}</ExternalGUID></ItemServiceRet>"
    "<ItemSalesTaxRet><ListID>X-20</ListID><Name>VAT 20%</Name><IsActive>true</IsActive><TaxRate>20.0</TaxRate>"
    "</ItemSalesTaxRet>"
    "<ItemSalesTaxRet><ListID>X-0</ListID><Name>VAT 0%</Name><IsActive>true</IsActive><TaxRate>0.0</TaxRate>"
    "</ItemSalesTaxRet></ItemQueryRs>",
    f'<TermsQueryRs {_ok("te-1")} retCount="1"><StandardTermsRet><ListID>TE-1</ListID><Name>Net 30</Name>'
    "<IsActive>true</IsActive><StdDueDays>30</StdDueDays></StandardTermsRet></TermsQueryRs>",
    f'<PaymentMethodQueryRs {_ok("pm-1")} retCount="1"><PaymentMethodRet><ListID>PM-1</ListID><Name>BACS</Name>'
    "<IsActive>true</IsActive><PaymentMethodType>ECheck</PaymentMethodType></PaymentMethodRet>"
    "</PaymentMethodQueryRs>",
    f'<CurrencyQueryRs {_ok("cu-1")} retCount="1"><CurrencyRet><ListID>CU-1</ListID>'
    "<Name>British Pound Sterling</Name><IsActive>true</IsActive><CurrencyCode>GBP</CurrencyCode></CurrencyRet>"
    "</CurrencyQueryRs>")

US_TAX_CODES = message(
    f'<SalesTaxCodeQueryRs {_ok("t-1")} retCount="2">'
    "<SalesTaxCodeRet><ListID>T-TAX</ListID><Name>Tax</Name><IsActive>true</IsActive><IsTaxable>true</IsTaxable>"
    "<Desc>Taxable Sales</Desc></SalesTaxCodeRet>"
    "<SalesTaxCodeRet><ListID>T-NON</ListID><Name>Non</Name><IsActive>true</IsActive><IsTaxable>false</IsTaxable>"
    "<Desc>Non-Taxable Sales</Desc></SalesTaxCodeRet></SalesTaxCodeQueryRs>",
    f'<ItemQueryRs {_ok("i-1")} retCount="1">'
    "<ItemSalesTaxRet><ListID>X-CA</ListID><Name>CA State</Name><IsActive>true</IsActive><TaxRate>7.25</TaxRate>"
    "</ItemSalesTaxRet></ItemQueryRs>")

ENTITIES = message(
    f'<EntityQueryRs {_ok("e-1")} retCount="1"><VendorRet><ListID>V-9</ListID><EditSequence>5</EditSequence>'
    "<Name>Acme Corp</Name><IsActive>true</IsActive></VendorRet></EntityQueryRs>")

HCP = message(
    '<HostQueryRs requestID="0" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><HostRet>'
    "<ProductName>QuickBooks Desktop Pro 2024</ProductName><MajorVersion>34</MajorVersion>"
    "<MinorVersion>0</MinorVersion><Country>UK</Country>"
    + "".join(f"<SupportedQBXMLVersion>{v}</SupportedQBXMLVersion>"
              for v in ("UK2.0", "12.0", "13.0", "14.0", "15.0", "16.0"))
    + "<IsAutomaticLogin>false</IsAutomaticLogin><QBFileMode>SingleUser</QBFileMode></HostRet></HostQueryRs>"
    '<CompanyQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><CompanyRet>'
    "<IsSampleCompany>false</IsSampleCompany><CompanyName>Komet Demo Ltd</CompanyName>"
    "<LegalCompanyName>Komet Demo Limited</LegalCompanyName><LegalAddress><City>Leeds</City><Country>UK</Country>"
    "</LegalAddress><DataExtRet><OwnerID>{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}</OwnerID><DataExtName>FileID"
    "</DataExtName><DataExtType>STR255TYPE</DataExtType><DataExtValue>{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}"
    "</DataExtValue></DataExtRet></CompanyRet></CompanyQueryRs>"
    '<PreferencesQueryRs requestID="2" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
    "<PreferencesRet><AccountingPreferences><IsUsingAccountNumbers>true</IsUsingAccountNumbers>"
    "<IsRequiringAccounts>true</IsRequiringAccounts><IsUsingClassTracking>false</IsUsingClassTracking>"
    "<IsUsingAuditTrail>true</IsUsingAuditTrail><IsAssigningJournalEntryNumbers>true"
    "</IsAssigningJournalEntryNumbers></AccountingPreferences><MultiCurrencyPreferences><IsMultiCurrencyOn>true"
    "</IsMultiCurrencyOn><HomeCurrencyRef><FullName>British Pound Sterling</FullName></HomeCurrencyRef>"
    "</MultiCurrencyPreferences></PreferencesRet></PreferencesQueryRs>")

ALL = {"INVOICE_ADD_OK": INVOICE_ADD_OK, "DOCUMENTS_QUERY": DOCUMENTS_QUERY, "PAYMENTS_PAGE": PAYMENTS_PAGE,
       "BILL_PAYMENTS": BILL_PAYMENTS, "ERRORS": ERRORS, "RECOVERED": RECOVERED, "VOID_AND_DELETED": VOID_AND_DELETED,
       "CHART": CHART, "US_TAX_CODES": US_TAX_CODES, "ENTITIES": ENTITIES, "HCP": HCP}
