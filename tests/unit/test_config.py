"""The LEDGERBRIDGE_* settings: typed, read once, documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ledgerbridge.clock import WALL, configured_clock
from ledgerbridge.config import AppSettings, env_name, get_settings, reset_settings
from ledgerbridge.queue.jobs import heartbeat_timeout

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_described_and_in_the_readme_table() -> None:
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for field, info in AppSettings.model_fields.items():
        assert info.description, f"{field} has no description"
        assert f"| `{env_name(field)}` |" in section, f"{env_name(field)} is not in the README's Configuration table"


def test_variables_become_typed_fields(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEDGERBRIDGE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("LEDGERBRIDGE_KEY_FILE", str(tmp_path / "k"))
    monkeypatch.setenv("LEDGERBRIDGE_HEARTBEAT_TIMEOUT", "4.5")
    monkeypatch.setenv("LEDGERBRIDGE_CLOCK_SCALE", "")  # empty counts as unset
    reset_settings()
    settings = get_settings()
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.key_file == tmp_path / "k"
    assert heartbeat_timeout().total_seconds() == 4.5
    assert settings.clock_scale is None and configured_clock() is WALL
    assert get_settings() is settings  # read once ...
    monkeypatch.setenv("LEDGERBRIDGE_HEARTBEAT_TIMEOUT", "9")
    assert heartbeat_timeout().total_seconds() == 4.5
    reset_settings()
    assert heartbeat_timeout().total_seconds() == 9  # ... until reset


def test_accelerated_clock_from_the_settings() -> None:
    clock = configured_clock(AppSettings(clock_scale=600, clock_origin=1_000.0))
    assert (clock.scale, clock.origin) == (600, 1_000.0)
    assert clock.env() == {env_name("clock_scale"): "600.0", env_name("clock_origin"): "1000.0"}


@pytest.mark.parametrize(("variable", "value"), [("LEDGERBRIDGE_HEARTBEAT_TIMEOUT", "soon"),
                                                 ("LEDGERBRIDGE_CLOCK_SCALE", "0")])
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    reset_settings()
    field = variable.removeprefix("LEDGERBRIDGE_").lower()
    with pytest.raises(ValidationError, match=field):
        get_settings()
