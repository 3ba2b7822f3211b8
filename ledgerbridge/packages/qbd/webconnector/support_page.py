"""The AppSupport page of the .qwc file, and the page a browser sees at the SOAP endpoint.

The Web Connector fetches AppSupport when an application is added and refuses the .qwc file unless it answers 200
(QBWC1003/1004), so it must exist; a person who clicks it in the Web Connector should find what it is and what to do
when an update fails. Self-contained (inline style, no script, nothing fetched from elsewhere): it is served on
the same host as the SOAP endpoint, outside the signed-in screens.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

__all__ = ["PAGE_POLICY", "endpoint_page", "support_page"]

_STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2933;background:#f5f7fa;margin:0}
main{max-width:46rem;margin:2rem auto;background:#fff;padding:2rem 2.5rem;border-radius:8px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.6rem;margin-top:0}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #e4e7eb}
code{background:#f0f4f8;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.45rem .5rem;border-bottom:1px solid #e4e7eb}
th{background:#f0f4f8}footer{margin-top:2rem;color:#616e7c;font-size:.9rem}
"""

#: The pages' Content-Security-Policy: their one inline style sheet (by its hash) and nothing else; set by the route,
#: so the app's policy for the screens (no inline style) does not leave the page unstyled.
PAGE_POLICY = ("default-src 'none'; style-src 'sha256-"
               + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
               + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

_TROUBLE = [
    ("The password was refused (or \u201cnvu\u201d in the log)",
     "Enter the Web Connector password shown when it was set in ledgerbridge (Connection page). If nobody kept "
     "it, set a new one there and type it into the Web Connector's Password column."),
    ("\u201cNo work\u201d or nothing happens",
     "Nothing is waiting: upload or import in ledgerbridge first. Records wait for the Web Connector's next "
     "update; click Update Selected to run it now."),
    ("QuickBooks could not be opened",
     "Open QuickBooks with the company file, or let the application log in automatically: in QuickBooks, Edit > "
     "Preferences > Integrated Applications > Company Preferences, select the application, Properties, "
     "\u201cAllow this application to login automatically\u201d."),
    ("The session was stopped part-way",
     "Nothing is lost: whatever QuickBooks was given is checked at the next update before anything is sent "
     "again, so no record is created twice."),
    ("A certificate or connection error",
     "The PC must reach this server over HTTPS with a certificate Windows trusts; check the address in the "
     "application's .qwc file and the PC's internet connection."),
]


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>{body}"
            "<footer>ledgerbridge keeps your business system and your accounts in step.</footer>"
            "</main></body></html>")


def support_page() -> str:
    """The AppSupport page."""
    rows = "".join(f"<tr><td>{escape(what)}</td><td>{escape(fix)}</td></tr>" for what, fix in _TROUBLE)
    body = f"""
<h1>ledgerbridge and the QuickBooks Web Connector</h1>
<p>This application sends your invoices, credit notes, bills and payments from ledgerbridge to QuickBooks Desktop,
and brings payments made in QuickBooks back. The QuickBooks Web Connector, on the PC where QuickBooks runs, calls
this server on a schedule, takes the work waiting for QuickBooks, runs it there and returns QuickBooks' answers.
ledgerbridge never connects to your PC: nothing happens while the Web Connector is not running.</p>
<h2>Setting it up</h2>
<ol>
<li>In ledgerbridge, on the Connection page, set the Web Connector password (it is shown once: keep it) and
download the <code>.qwc</code> file.</li>
<li>On the PC with QuickBooks, open the company file as the QuickBooks administrator, start the Web Connector
(QuickBooks: File > Update Web Services) and choose <em>Add an application</em>, then the <code>.qwc</code> file.
</li>
<li>QuickBooks asks whether to allow the application: choose \u201cYes, whenever this QuickBooks company file is
open\u201d, or \u201cYes, always; allow access even if QuickBooks is not running\u201d for unattended updates.</li>
<li>In the Web Connector, type the password in the application's Password column, tick <em>Auto-Run</em> and set
how often it runs. <em>Update Selected</em> runs it at once.</li>
</ol>
<h2>When an update does not work</h2>
<table><tr><th>What you see</th><th>What to do</th></tr>{rows}</table>
<h2>Help</h2>
<p>The Web Connector keeps a log (<em>View Log</em>); ledgerbridge's Connection page shows when the Web Connector
last called and what the last update ended with. Your ledgerbridge administrator can help with both.</p>
"""
    return _page("ledgerbridge: QuickBooks Web Connector support", body)


def endpoint_page(support_url: str) -> str:
    """What a browser sees at the SOAP endpoint (a GET without ``?wsdl``)."""
    body = (f"<h1>QuickBooks Web Connector service</h1><p>This address is for the QuickBooks Web Connector, which "
            f"calls it with SOAP; its description is at <a href=\"?wsdl\">?wsdl</a>. People want the <a "
            f"href=\"{escape(support_url)}\">support page</a>.</p>")
    return _page("ledgerbridge: QuickBooks Web Connector service", body)
