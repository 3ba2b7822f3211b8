"""qbXML: the requests ledgerbridge sends QuickBooks Desktop and the answers it reads, as pure functions.

One module per concept: ``values`` (qbXML's simple types, exact), ``nodes`` (writing elements in schema order,
requestID, macros), ``line_plan`` (the lines a Mod keeps), builders by object family (``list_queries``,
``parties``, ``items``, ``sales``, ``purchases``, ``payments``, ``txn_queries``, ``voids``, ``iterators``,
``hcp``), the message (``envelope``: size before building, packing under a byte bound), answers (``responses``,
``rets``, ``chart_rets``, ``hcp``), ``status`` (what each statusCode means to ledgerbridge) and ``version``
(which qbXML version to speak). Every builder's output is checked against Intuit's 13.0 and 16.0 schemas in the
tests (``tests/qbd``). Hand-written on lxml: no maintained Python library speaks qbXML (``../shared/apis/qbwc.md``
§11).
"""
