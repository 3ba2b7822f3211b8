"""Migration 0007: the purchase approval workflow (R-P1) is on by default; rows an administrator saved before it
keep what they chose. Run on both databases, from 0006 up, as an existing install upgrades."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from dbfixtures import make_postgres_engine, make_sqlite_engine
from sqlalchemy import Engine, text

from ledgerbridge.store.db import alembic_config

NOW = "2026-11-01 09:00:00"


def _upgrade_an_install_from_0006(engine: Engine) -> dict[str, bool]:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    with engine.begin() as conn:
        for org_id, name in ((1, "chose off"), (2, "chose on"), (3, "never set"), (4, "written after 0007")):
            conn.execute(text("INSERT INTO organisations (id, name, base_currency, created_at) "
                              "VALUES (:id, :name, 'GBP', :now)"), {"id": org_id, "name": name, "now": NOW})
        for org_id, chosen in ((1, False), (2, True)):
            conn.execute(text("INSERT INTO purchase_rules (organisation_id, approval_required, "
                              "require_additional_charges, updated_by, updated_at) VALUES (:id, :chosen, false, "
                              "'admin@example.test', :now)"), {"id": org_id, "chosen": chosen, "now": NOW})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.begin() as conn:
        # A row that does not name the column (another tool, a hand-written fix) gets the workflow on.
        conn.execute(text("INSERT INTO purchase_rules (organisation_id, require_additional_charges, updated_at) "
                          "VALUES (4, false, :now)"), {"now": NOW})
        return {str(name): bool(value) for name, value in conn.execute(text(
            "SELECT o.name, r.approval_required FROM purchase_rules r JOIN organisations o "
            "ON o.id = r.organisation_id"))}


EXPECTED = {"chose off": False, "chose on": True, "written after 0007": True}


def test_sqlite_keeps_what_an_admin_chose_and_defaults_new_rows_on(tmp_path: Path) -> None:
    engine = make_sqlite_engine(tmp_path)
    try:
        assert _upgrade_an_install_from_0006(engine) == EXPECTED
    finally:
        engine.dispose()


def test_postgres_keeps_what_an_admin_chose_and_defaults_new_rows_on() -> None:
    with make_postgres_engine() as engine:
        assert _upgrade_an_install_from_0006(engine) == EXPECTED
