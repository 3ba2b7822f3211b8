"""TokenCipher: Fernet at rest, key from the environment or a 0600 key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ledgerbridge.security.crypto import KEY_ENV, KEY_FILE_ENV, TokenCipher, TokenDecryptionError


def test_round_trip_and_no_plaintext() -> None:
    cipher = TokenCipher(TokenCipher.generate_key())
    enc = cipher.encrypt("refresh-token-123")
    assert "refresh-token-123" not in enc and cipher.decrypt(enc) == "refresh-token-123"
    assert cipher.encrypt("x") != cipher.encrypt("x")  # random IV


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret.key"
    env = {KEY_FILE_ENV: str(path)}
    first = TokenCipher.from_environment(env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = TokenCipher.from_environment(env)
    assert second.decrypt(first.encrypt("t")) == "t"


def test_env_key_wins_and_supports_rotation(tmp_path: Path) -> None:
    old, new = TokenCipher.generate_key(), TokenCipher.generate_key()
    stored = TokenCipher(old).encrypt("secret")
    rotated = TokenCipher.from_environment({KEY_ENV: f"{new},{old}", KEY_FILE_ENV: str(tmp_path / "unused")})
    assert rotated.decrypt(stored) == "secret"
    assert TokenCipher(new).decrypt(rotated.rotate(stored)) == "secret"
    assert not (tmp_path / "unused").exists()


def test_wrong_key_is_a_clear_error() -> None:
    stored = TokenCipher(TokenCipher.generate_key()).encrypt("secret")
    with pytest.raises(TokenDecryptionError, match="LEDGERBRIDGE_SECRET_KEY"):
        TokenCipher(TokenCipher.generate_key()).decrypt(stored)
