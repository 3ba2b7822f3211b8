"""QuickBooks Desktop's envelope for the mailbox (``connectors.mailbox.MessageFormat``): requests in, answers out.

``wrap`` puts the requests of the messages the mailbox hands out together into one qbXML message set, in the
version the Web Connector's session speaks, with the rule for a failing request the messages share;
``split`` cuts QuickBooks' answer back into each request's ``...Rs`` by requestID (the connector parses each with
``qbxml.responses.parse_result``).

Error recovery (``qbwc.md`` §9). QuickBooks keeps the outcome of the *last* message set an application sent with
a ``newMessageSetID``, and says what became of it when asked with ``oldMessageSetID``. So:

* a message set gets ``newMessageSetID`` (the mailbox's message set id, which its in-doubt rows keep) only when
  it writes: a read handed out after a write whose answer was lost would otherwise replace the one outcome
  QuickBooks could still tell;
* asking (:func:`status_check_rule`, :data:`STATUS_REQUEST`) is a message of its own: its rule is
  ``statusCheck:<token>``, unique, so the mailbox (which packs only messages of one rule) never packs it with
  another, and its one request text is the message set id asked about. QuickBooks then runs nothing and answers
  the saved ``...Rs`` of that set (under the old requestIDs, which the asking message names as its own) and
  ``messageSetStatusCode`` (0: known, 600: not known), given under :data:`STATUS_REQUEST`.

Packing. The mailbox packs whole messages in order up to a byte bound, by the size of their requests; the qbXML
library's ``envelope.pack`` packs requests and keeps a macro's definition with its uses. The mailbox's rule is
the right one here: a connector's exchange is one mailbox message, never split, so a macro pair inside it always
travels together, and the mailbox must stay ignorant of qbXML. The bound the Web Connector service passes should
leave room for the envelope (:data:`ENVELOPE_BYTES`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence

from lxml import etree

from ledgerbridge.packages.qbd.qbxml.envelope import MessageOptions, OnError, wrap_texts
from ledgerbridge.packages.qbd.qbxml.responses import QbxmlParseError, split_response

__all__ = ["ENVELOPE_BYTES", "STATUS_REQUEST", "QbdMessageFormat", "is_status_check", "status_check_rule"]

#: The bytes a message set takes besides its requests (with a 23-character message set id), rounded up.
ENVELOPE_BYTES = 200
#: The request id under which a status check's answer (``QBXMLMsgsRs`` with ``messageSetStatusCode``) comes back.
STATUS_REQUEST = "messageSet"
_STATUS_PREFIX = "statusCheck:"
#: Requests that change the books: an Add, a Mod, a void or a delete (qbXML names them so).
_WRITES = re.compile(r"<(?:\w+Add|\w+Mod|TxnVoid|TxnDel|ListDel)Rq[\s>]")


def status_check_rule() -> str:
    """A rule for one status check: unique (so never packed with another message), within the mailbox's 20."""
    return _STATUS_PREFIX + secrets.token_hex(4)


def is_status_check(on_error: str) -> bool:
    return on_error.startswith(_STATUS_PREFIX)


class QbdMessageFormat:
    """The qbXML envelope (``connectors.mailbox.MessageFormat``)."""

    def wrap(self, requests: Sequence[str], *, version: str, on_error: str, message_set_id: str) -> str:
        if is_status_check(on_error):
            asked = requests[-1].strip()
            return wrap_texts([], MessageOptions(version, "continueOnError", old_message_set_id=asked))
        rule: OnError = "stopOnError" if on_error == "stopOnError" else "continueOnError"
        writes = any(_WRITES.search(text) for text in requests)
        options = MessageOptions(version, rule, new_message_set_id=message_set_id if writes else None)
        return wrap_texts(requests, options)

    def split(self, answer: str) -> Mapping[str, str]:
        """Each request's ``...Rs`` by requestID, and the message set's status under :data:`STATUS_REQUEST` when
        the answer carries one. An answer that is not qbXML gives nothing: its messages are then answered
        with no part, which the connector reports as QuickBooks' failure to answer."""
        try:
            parts, messages = split_response(answer)
        except QbxmlParseError:
            return {}
        if messages.get("messageSetStatusCode") is not None:
            status = etree.Element("QBXMLMsgsRs", {k: str(v) for k, v in messages.attrib.items()})
            parts[STATUS_REQUEST] = etree.tostring(status, encoding="unicode")
        return parts
