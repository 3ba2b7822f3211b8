"""All tables, importable from one place (Alembic's target metadata)."""

from __future__ import annotations

from ledgerbridge.db import Base
from ledgerbridge.models_approvals import *  # noqa: F403
from ledgerbridge.models_audit import *  # noqa: F403
from ledgerbridge.models_credits import *  # noqa: F403
from ledgerbridge.models_host import *  # noqa: F403
from ledgerbridge.models_sync import *  # noqa: F403
from ledgerbridge.models_users import *  # noqa: F403
from ledgerbridge.models_work import *  # noqa: F403

metadata = Base.metadata
