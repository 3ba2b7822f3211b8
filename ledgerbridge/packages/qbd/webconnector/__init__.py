"""The QuickBooks Web Connector's side of ledgerbridge: the SOAP service it polls, its sessions and passwords.

``operations`` is the contract (the WSDL's operations and parameters), ``soap`` the envelopes, ``service`` the
callbacks answering as Intuit's Programmer's Guide says, over a ``backend.WebConnectorBackend``; ``sessions`` is
the real backend (tickets, passwords, the facts of each session, in the store), handing the work itself to a
``backend.MessageSource``; ``routes`` mounts it all on a FastAPI router.
"""
