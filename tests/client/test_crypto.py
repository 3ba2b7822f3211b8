"""TokenCipher: Fernet at rest, key from the settings (``LEDGERBRIDGE_SECRET_KEY``) or a 0600 key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ledgerbridge.config import AppSettings, reset_settings
from ledgerbridge.security.crypto import KEY_ENV, KEY_FILE_ENV, TokenCipher, TokenDecryptionError, default_cipher


def test_round_trip_and_no_plaintext() -> None:
    cipher = TokenCipher(TokenCipher.generate_key())
    enc = cipher.encrypt("refresh-token-123")
    assert "refresh-token-123" not in enc and cipher.decrypt(enc) == "refresh-token-123"
    assert cipher.encrypt("x") != cipher.encrypt("x")  # random IV


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret.key"
    settings = AppSettings(key_file=path, secret_key=None)
    first = TokenCipher.from_settings(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = TokenCipher.from_settings(settings)
    assert second.decrypt(first.encrypt("t")) == "t"


def test_env_key_wins_and_supports_rotation(tmp_path: Path) -> None:
    old, new = TokenCipher.generate_key(), TokenCipher.generate_key()
    stored = TokenCipher(old).encrypt("secret")
    rotated = TokenCipher.from_settings(AppSettings(secret_key=f"{new},{old}", key_file=tmp_path / "unused"))
    assert rotated.decrypt(stored) == "secret"
    assert TokenCipher(new).decrypt(rotated.rotate(stored)) == "secret"
    assert not (tmp_path / "unused").exists()


def test_the_process_cipher_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables reach the process-wide cipher through the settings, and a reset picks up a change."""
    old, new = TokenCipher.generate_key(), TokenCipher.generate_key()
    monkeypatch.setenv(KEY_ENV, old)
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "unused"))
    reset_settings()
    stored = default_cipher().encrypt("secret")
    assert TokenCipher(old).decrypt(stored) == "secret"
    monkeypatch.setenv(KEY_ENV, new)
    assert default_cipher().decrypt(stored) == "secret"  # settings are read once per process ...
    reset_settings()
    with pytest.raises(TokenDecryptionError):
        default_cipher().decrypt(stored)  # ... until they are reset
    monkeypatch.delenv(KEY_ENV)
    reset_settings()
    default_cipher().encrypt("x")
    assert (tmp_path / "unused").exists()  # no key in the environment: the key file


def test_wrong_key_is_a_clear_error() -> None:
    stored = TokenCipher(TokenCipher.generate_key()).encrypt("secret")
    with pytest.raises(TokenDecryptionError, match="LEDGERBRIDGE_SECRET_KEY"):
        TokenCipher(TokenCipher.generate_key()).decrypt(stored)
