"""A local QuickBooks Desktop: an in-memory company that runs qbXML as QuickBooks does (``company.py``), its books
page and admin API, and the Web Connector simulator that drives it (``docs/qbd.md``, "sandbox")."""
