"""What QuickBooks answers to HostQuery, CompanyQuery and PreferencesQuery: the Web Connector's ``strHCPResponse``.

Schema-valid (qbXML 13.0), checked in the tests like every qbXML document they use."""

from __future__ import annotations

from xml.sax.saxutils import escape


def host_response_text(product: str = "QuickBooks Enterprise Solutions: Manufacturing and Wholesale 23.0",
                       country: str = "US", versions: tuple[str, ...] = ("1.0", "2.0", "CA3.0", "13.0", "16.0"),
                       company: str = "Komet Sales") -> str:
    supported = "".join(f"<SupportedQBXMLVersion>{v}</SupportedQBXMLVersion>" for v in versions)
    return (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
        '<HostQueryRs requestID="0" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><HostRet>'
        f"<ProductName>{escape(product)}</ProductName><MajorVersion>33</MajorVersion><MinorVersion>0</MinorVersion>"
        f"<Country>{country}</Country>{supported}<IsAutomaticLogin>false</IsAutomaticLogin>"
        "<QBFileMode>SingleUser</QBFileMode></HostRet></HostQueryRs>"
        '<CompanyQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><CompanyRet>'
        f"<IsSampleCompany>false</IsSampleCompany><CompanyName>{escape(company)}</CompanyName></CompanyRet>"
        "</CompanyQueryRs>"
        '<PreferencesQueryRs requestID="2" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
        "<PreferencesRet/></PreferencesQueryRs>"
        "</QBXMLMsgsRs></QBXML>")


def empty_answer(request_id: str = "1", query: str = "CustomerQueryRs") -> str:
    """A query that found nothing (statusCode 1, Info): a business answer, not an error."""
    return ('<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
            f'<{query} requestID="{request_id}" statusCode="1" statusSeverity="Info" '
            'statusMessage="A query request did not find a matching object in QuickBooks" />'
            "</QBXMLMsgsRs></QBXML>")


def name_in_use(name: str, request_id: str = "1") -> str:
    """CustomerAdd refused with 3100: a business error inside a well-formed answer."""
    return ('<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
            f'<CustomerAddRs requestID="{request_id}" statusCode="3100" statusSeverity="Error" '
            f'statusMessage="The name &quot;{escape(name)}&quot; of the list element is already in use." />'
            "</QBXMLMsgsRs></QBXML>")
