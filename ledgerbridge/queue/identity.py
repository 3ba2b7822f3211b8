"""Who a worker is: host, process and thread, as written on the jobs it holds and the call slots it leases.

A module of its own because the call budget (``connectors``) names its holder the same way the queue does, and
neither should import the other for it.
"""

from __future__ import annotations

import os
import socket
import threading


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
