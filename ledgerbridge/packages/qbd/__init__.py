"""QuickBooks Desktop through the QuickBooks Web Connector (issue 13; the design is ``docs/qbd.md``).

QuickBooks Desktop has no API to call: the Web Connector, beside QuickBooks on the user's PC, asks ledgerbridge
for qbXML on a schedule and posts QuickBooks' answers back. ``qbxml/`` builds the requests and reads the answers
(pure, no I/O); ``mapper`` turns ledgerbridge's documents, parties, items and payments into the builders' inputs;
``readers`` turns the answers into the engine's types; ``limits`` holds the text limits pre-check enforces.
"""
