"""All tables, importable from one place (Alembic's target metadata)."""

from __future__ import annotations

from ledgerbridge.store.db import Base
from ledgerbridge.store.models.approvals import *  # noqa: F403
from ledgerbridge.store.models.audit import *  # noqa: F403
from ledgerbridge.store.models.credits import *  # noqa: F403
from ledgerbridge.store.models.host import *  # noqa: F403
from ledgerbridge.store.models.mailbox import *  # noqa: F403
from ledgerbridge.store.models.numbering import *  # noqa: F403
from ledgerbridge.store.models.polled import *  # noqa: F403
from ledgerbridge.store.models.sync import *  # noqa: F403
from ledgerbridge.store.models.users import *  # noqa: F403
from ledgerbridge.store.models.work import *  # noqa: F403

metadata = Base.metadata
