"""The .qwc file: what the user adds to the QuickBooks Web Connector ("Add an application"), one per connection.

Its elements are Intuit's (Programmer's Guide Table 4-1; ``../shared/apis/qbwc.md`` §2; the shape of
``specs/qbxml/samples/example.qwc``). The rules the Web Connector enforces are checked here, with the reason, so a
file we hand out is never one it refuses:

* AppURL is ``https://``, or ``http://localhost`` for development (QBWC1010 otherwise), and never an IP address
  (QBWC1001): ``http://127.0.0.1`` is refused, ``http://localhost`` is the development address.
* AppSupport is on the same host as AppURL (QBWC1000), also not an IP address (QBWC1002); it must answer 200
  (QBWC1003), which the service's support page does.
* OwnerID and FileID are the connection's, made once and kept (``webconnector/credentials.py``); AppName too,
  because it is what the QuickBooks administrator authorised: a new name would ask for authorisation again.
* AppUniqueName makes a re-added file replace the application instead of adding a second copy of it.

No password is in the file: the user types it into the Web Connector. The XML is built with lxml, never by pasting
strings, so a connection's name cannot break it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy.orm import Session

from ledgerbridge.packages.qbd.webconnector.credentials import ensure_credentials
from ledgerbridge.packages.qbd.webconnector.routes import SOAP_PATH, SUPPORT_PATH
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection

__all__ = ["DEFAULT_DESCRIPTION", "QwcError", "QwcFile", "build_qwc", "check_app_url", "qwc_filename",
           "qwc_for_connection", "urls_for"]

DEFAULT_DESCRIPTION = "Sends invoices, credit notes, bills and payments; brings payments back"  # <= 80 characters
_GUID = re.compile(r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$")


class QwcError(ValueError):
    """A .qwc file the Web Connector would refuse; the message names the element and the reason."""


@dataclass(frozen=True, slots=True)
class QwcFile:
    app_name: str
    app_url: str
    app_support: str
    user_name: str
    owner_id: str
    file_id: str
    run_every_minutes: int = 15
    app_description: str = DEFAULT_DESCRIPTION
    app_unique_name: str = ""
    app_id: str = ""  # Intuit allows it empty: <AppID></AppID>


def _host_is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_app_url(url: str, element: str = "AppURL") -> str:
    """``url``'s host, if the Web Connector accepts ``url`` as ``element``; raises :class:`QwcError` otherwise."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise QwcError(f"{element} {url!r} is not an absolute URL")
    if _host_is_ip(host):
        raise QwcError(f"{element} {url!r} names an IP address, which the Web Connector refuses (QBWC1001/QBWC1002): "
                       "use the server's host name (http://localhost for development on this machine)")
    if parts.scheme == "https":
        return host.lower()
    if parts.scheme == "http" and host.lower() == "localhost":
        return host.lower()
    raise QwcError(f"{element} {url!r} must use https: the Web Connector accepts plain http only for "
                   "http://localhost (QBWC1010)")


def urls_for(base_url: str) -> tuple[str, str]:
    """AppURL and AppSupport for the service mounted at ``base_url`` (e.g. ``https://sync.example.com/packages/qbd``)."""
    base = base_url.rstrip("/")
    return base + SOAP_PATH, base + SUPPORT_PATH


def build_qwc(qwc: QwcFile) -> bytes:
    """The .qwc file's bytes; raises :class:`QwcError` naming the element the Web Connector would refuse."""
    app_host = check_app_url(qwc.app_url, "AppURL")
    if check_app_url(qwc.app_support, "AppSupport") != app_host:
        raise QwcError(f"AppSupport {qwc.app_support!r} must be on the same host as AppURL {qwc.app_url!r} "
                       "(the Web Connector refuses another domain, QBWC1000)")
    for element, guid in (("OwnerID", qwc.owner_id), ("FileID", qwc.file_id)):
        if not _GUID.match(guid):
            raise QwcError(f"{element} {guid!r} must be a GUID written {{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}}")
    if not 1 <= qwc.run_every_minutes <= 24 * 60:
        raise QwcError(f"RunEveryNMinutes must be between 1 and 1440, got {qwc.run_every_minutes}")
    for element, value in (("AppName", qwc.app_name), ("UserName", qwc.user_name)):
        if not value.strip():
            raise QwcError(f"{element} must not be empty")
    if len(qwc.app_description) > 80:
        raise QwcError(f"AppDescription must be at most 80 characters (Intuit's guidance), got "
                       f"{len(qwc.app_description)}")
    root = etree.Element("QBWCXML")
    for tag, text in (("AppName", qwc.app_name), ("AppID", qwc.app_id), ("AppURL", qwc.app_url),
                      ("AppDescription", qwc.app_description), ("AppSupport", qwc.app_support),
                      ("UserName", qwc.user_name), ("OwnerID", qwc.owner_id), ("FileID", qwc.file_id),
                      ("QBType", "QBFS")):
        etree.SubElement(root, tag).text = text  # "" stays <AppID></AppID>
    scheduler = etree.SubElement(root, "Scheduler")
    etree.SubElement(scheduler, "RunEveryNMinutes").text = str(qwc.run_every_minutes)
    etree.SubElement(root, "IsReadOnly").text = "false"  # we write to the books
    if qwc.app_unique_name:
        etree.SubElement(root, "AppUniqueName").text = qwc.app_unique_name
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def qwc_filename(name: str) -> str:
    """``Komet Sales`` -> ``komet_sales.qwc``."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return f"{slug or 'ledgerbridge'}.qwc"


def qwc_for_connection(session: Session, connection_id: int, base_url: str,
                       description: str = DEFAULT_DESCRIPTION) -> tuple[str, bytes]:
    """The connection's .qwc file (its name and bytes) for the service at ``base_url``; the credentials (user
    name, GUIDs, AppName) are made on first use and kept. The caller commits."""
    connection = session.get(Connection, connection_id)
    if connection is None:
        raise QwcError(f"connection {connection_id} does not exist")
    organisation = session.get_one(Organisation, connection.organisation_id)
    credential = ensure_credentials(session, connection_id)
    app_url, support = urls_for(base_url)
    qwc = QwcFile(app_name=credential.app_name, app_url=app_url, app_support=support,
                  user_name=credential.user_name, owner_id=credential.owner_id, file_id=credential.file_id,
                  run_every_minutes=credential.run_every_minutes, app_description=description,
                  app_unique_name=f"ledgerbridge-{credential.file_id.strip('{}').lower()}")
    return qwc_filename(organisation.name), build_qwc(qwc)
