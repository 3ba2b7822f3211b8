"""The QuickBooks Online connector: OAuth (``auth``), HTTP (``client``), payloads (``mapper``), errors, connector."""
