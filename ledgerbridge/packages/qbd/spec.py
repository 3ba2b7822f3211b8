"""QuickBooks Desktop, as the rest of ledgerbridge sees it: the one registration of this folder
(``packages.registry``). It is a package that polls us (``polled``): the Web Connector on the user's PC calls our
SOAP service, so there are no production endpoints to call, no consent page and no call budget; its round trips
are bounded by the message size instead (``limits.MESSAGE_BYTES``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.limits import BudgetLimits, CallBudgetLike, no_limit_headers
from ledgerbridge.connectors.mailbox import MessageFormat
from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.connectors.spec import (
    AuthFlow,
    ConnectorOptions,
    PackageEndpoints,
    PackageSpec,
    PolledProgram,
    PolledService,
    SandboxSpec,
)
from ledgerbridge.packages.qbd.commands import password_command, qwc_command, sandbox_command
from ledgerbridge.packages.qbd.demo import DEMO_WORLD, start_sandbox
from ledgerbridge.packages.qbd.limits import MESSAGE_BYTES, QBD_TEXT_LIMITS
from ledgerbridge.store.models.sync import Connection

if TYPE_CHECKING:
    from fastapi import APIRouter

    from ledgerbridge.packages.qbd.webconnector.backend import MessageSource

#: No call budget: QuickBooks Desktop is reached only through the Web Connector's round trips. The figures are
#: there because every spec states limits; none of them is ever reached.
QBD_LIMITS = BudgetLimits(per_minute=1_000_000, per_day=100_000_000, concurrent=8)
BATCH_SIZE = 150  # documents a call: four calls in flight fill about one message (limits.MESSAGE_BYTES)
READ_PAGE = 500  # MaxReturned of an iterator's page


def _auth() -> AuthFlow:
    from ledgerbridge.packages.qbd import auth

    return AuthFlow(auth.begin_consent, auth.complete_consent, auth.choose_tenant, auth.disconnect, auth.health)


def _connector(sessions: sessionmaker[Session], connection_id: int, budget: CallBudgetLike,
               options: ConnectorOptions) -> Connector:
    from ledgerbridge.packages.qbd.connector import connector_for
    from ledgerbridge.packages.qbd.service import reachable
    from ledgerbridge.store.db import session_scope

    def in_session() -> bool:  # the Web Connector is in a session: a message queued now can be handed out
        with session_scope(sessions) as session:
            return reachable(session, connection_id)

    return connector_for(sessions, connection_id, budget, options, reachable=in_session)


def _web_service(sessions: sessionmaker[Session], source: MessageSource) -> APIRouter:
    from ledgerbridge.packages.qbd.service import web_service

    return web_service(sessions, source)


def _message_format() -> MessageFormat:
    from ledgerbridge.packages.qbd.message_format import QbdMessageFormat

    return QbdMessageFormat()


def _open_connections(session: Session) -> set[int]:
    from ledgerbridge.packages.qbd.service import open_connections

    return open_connections(session)


def _new_password(session: Session, connection: Connection) -> str:
    from ledgerbridge.packages.qbd.webconnector.credentials import set_password

    return set_password(session, connection.id)


def _setup_file(session: Session, connection: Connection, base_url: str) -> tuple[str, bytes]:
    from ledgerbridge.packages.qbd.qwc import qwc_for_connection

    return qwc_for_connection(session, connection.id, f"{base_url.rstrip('/')}/packages/qbd")


def _simulate(qwc: bytes, password: str, sandbox: Any, pause_seconds: float) -> PolledProgram:
    from ledgerbridge.packages.qbd.program import simulate

    return simulate(qwc, password, sandbox, pause_seconds)


def _bench_program_args(qwc: Path, password: str) -> list[str]:
    from ledgerbridge.packages.qbd.program import bench_program_args

    return bench_program_args(qwc, password)


def _sandbox_endpoints(base_url: str) -> PackageEndpoints:
    base = base_url.rstrip("/")  # nothing is called there: the books page and the admin API of the sandbox
    return PackageEndpoints(base, base, base)


SPEC = PackageSpec(
    kind="qbd",
    name="QuickBooks Desktop",
    limits=QBD_LIMITS,
    text_limits=QBD_TEXT_LIMITS,
    read_limits=no_limit_headers,
    batch_size=BATCH_SIZE,
    read_page=READ_PAGE,
    production=PackageEndpoints("", "", ""),  # nothing to call: the Web Connector calls us
    auth=_auth,
    connector=_connector,
    sandbox=SandboxSpec(start=start_sandbox, command=sandbox_command, endpoints=_sandbox_endpoints,
                        stats_calls_key="messages"),
    demo=DEMO_WORLD,
    polled=PolledService(program="the Web Connector", router=_web_service, message_format=_message_format,
                         message_bytes=MESSAGE_BYTES, open_connections=_open_connections,
                         new_password=_new_password, setup_file=_setup_file,
                         commands=(("qwc", qwc_command), ("web-connector-password", password_command)),
                         simulate=_simulate, bench_program_args=_bench_program_args),
    own_settings=("bill_reference", "suppliers_must_exist"),  # Komet's rules (seed 003)
)
