"""The Xero connector: consent and tokens (``auth``), HTTP (``client``), and the adapter (``connector``).

Nothing is imported here, so that importing one module does not pull in the others.
"""
