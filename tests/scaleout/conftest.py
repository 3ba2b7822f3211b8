"""The Xero world of the sync tests (a connected organisation on a live, contract-checked sandbox)."""

from sync.conftest import sandboxes, world  # noqa: F401 (fixtures)
