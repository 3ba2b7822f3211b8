"""QuickBooks Desktop through the QuickBooks Web Connector (issue 13; the design is ``docs/qbd.md``)."""
