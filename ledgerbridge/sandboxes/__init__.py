"""Local stand-ins for the accounting packages ledgerbridge talks to.

Each sandbox is a real HTTP server on loopback with the package's own wire format and business rules, so that
users can try ledgerbridge before connecting their real books, and so that the test suite, the demo and the
benchmarks exercise the same code paths that a production install uses.
"""
