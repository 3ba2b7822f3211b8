"""What a process keeps of a large Web Connector answer once it is done with it (``ledgerbridge.native_memory``).

Issue 13 asks the QuickBooks Desktop bench's peak memory not to grow with the number of documents beyond the batch
at work. The read-back's answer grows with them (some 300 bytes a document, one message for up to 10,000), and the
trees lxml builds of it (some 2 KB a document, in the SOAP service's thread and again in the connector's) stayed
in each thread's malloc arena after they were freed: the process kept its high mark, and the next session's
argon2 (64 MiB) came on top. Each case runs in a process of its own, so that what it keeps is its alone, with the
C library's default arenas (eight per core), so that it is the trims that are checked, not the arena limit (which
has its own test below). The figures are compared between two sizes of answer, never against a fixed size:
without the trims, 1,000 and 8,000 documents kept 2.9 and 16.7 MB after the SOAP service's thread, 2.1 and 18.6 MB
after the connector's; with them 1.0 and 2.7, 1.6 and 3.6 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ledgerbridge.native_memory import release_free_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not release_free_memory(),
                                reason="glibc's malloc_trim and /proc are Linux's")

#: The SOAP service's thread cuts the answer per request (``mailbox.deliver``: the parts are kept, as the mailbox's
#: rows keep them) and the polled session trims (``SessionWork.answer``); the connector's thread parses each part,
#: as ``QbdCalls`` does, and reads its documents, as the read-back does; the worker trims when the job is over
#: (``Worker.run``). ``TRIM=0`` leaves the trims out, to show what they give back. Prints the bytes the process
#: kept after each thread, and how many documents the connector read (so a run that read nothing cannot pass).
_KEEP = textwrap.dedent('''
    import json, os, sys, threading
    from ledgerbridge.native_memory import release_free_memory
    from ledgerbridge.packages.qbd.message_format import QbdMessageFormat
    from ledgerbridge.packages.qbd.qbxml.responses import parse_result
    from ledgerbridge.packages.qbd.qbxml.rets import read_txn
    from ledgerbridge.packages.qbd.readers import remote_document

    documents, trim = int(sys.argv[1]), os.environ.get("TRIM", "1") == "1"
    ret = ("<InvoiceRet><TxnID>{i:X}-1765000000</TxnID><TimeModified>2026-12-07T10:00:00+00:00</TimeModified>"
           "<RefNumber>INV-{i:06d}</RefNumber><Subtotal>1234.56</Subtotal><SalesTaxTotal>246.91</SalesTaxTotal>"
           "<BalanceRemaining>1481.47</BalanceRemaining></InvoiceRet>")
    queries = ['<InvoiceQueryRs requestID="q%d" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
               % first + "".join(ret.format(i=i) for i in range(first, min(documents, first + 500)))
               + "</InvoiceQueryRs>" for first in range(0, documents, 500)]
    answer = '<?xml version="1.0"?><QBXML><QBXMLMsgsRs>' + "".join(queries) + "</QBXMLMsgsRs></QBXML>"
    del queries
    statm = lambda: int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    parts, read = {}, []

    def soap_service():
        parts.update(QbdMessageFormat().split(answer))
        if trim:
            release_free_memory()

    def connector():
        results = [parse_result(text) for text in parts.values()]
        seen = {doc.external_id: doc for result in results for doc in map(remote_document, map(read_txn, result.rets))}
        read.append(len(seen))
        del results, seen
        parts.clear()
        if trim:
            release_free_memory()

    release_free_memory()  # what the answer's making left is not the answer's keeping
    before, kept = statm(), {}
    for role in (soap_service, connector):
        thread = threading.Thread(target=role)
        thread.start()
        thread.join()
        kept[role.__name__] = statm() - before
    print(json.dumps({"kept": kept, "read": read[0]}))
''')


def _kept(documents: int, trim: bool = True) -> dict[str, int]:
    """Bytes the process kept after the SOAP service cut the answer, and after the connector read it."""
    out = subprocess.run([sys.executable, "-c", _KEEP, str(documents)], capture_output=True, text=True, timeout=120,
                         check=True, env={**os.environ, "TRIM": "1" if trim else "0"}).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["read"] == documents
    return {role: int(kept) for role, kept in figures["kept"].items()}


def test_what_is_kept_of_an_answer_does_not_grow_with_its_documents() -> None:
    small, large = _kept(1_000), _kept(8_000)
    # Without the trims the process kept some 2.5 KB more a document once both threads had parsed it (17 MB more
    # for 7,000 more documents: the trees, in two arenas); with them some 0.4 KB (the interpreter's own pools).
    for role in ("soap_service", "connector"):
        assert large[role] - small[role] < 1024 * (8_000 - 1_000), (role, small, large)


_ARENAS = textwrap.dedent('''
    import ctypes, ctypes.util, sys, tempfile, threading
    from ledgerbridge.native_memory import limit_arenas

    limit_arenas(int(sys.argv[1]))
    held = []
    together = threading.Barrier(6)
    def allocate():
        held.append(bytearray(64 * 1024))  # from the thread's arena (below the C library's mmap threshold)
        together.wait()  # all alive at once: a thread that ended hands its arena to the next one
    threads = [threading.Thread(target=allocate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    with tempfile.NamedTemporaryFile(suffix=".xml") as info:
        stream = libc.fopen(info.name.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        print(open(info.name).read().count("<heap nr="))
''')


def _arenas(limit: int) -> int:
    out = subprocess.run([sys.executable, "-c", _ARENAS, str(limit)], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    return int(out.strip().splitlines()[-1])


def test_the_arena_limit_holds_however_many_threads_allocate() -> None:
    """Six threads allocating: each has an arena of its own by default (their freed memory then stays in six
    heaps), two with the limit the ``ledgerbridge`` command sets (``LEDGERBRIDGE_MALLOC_ARENAS``)."""
    assert _arenas(0) >= 6
    assert _arenas(2) == 2
