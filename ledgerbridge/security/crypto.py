"""Encryption at rest for OAuth tokens and client secrets (R-C1).

A leaked database dump must not hand out live access to someone's books, so every token and
client secret is stored as a Fernet token (AES-128-CBC + HMAC-SHA256, from ``cryptography``).
Fernet is used as-is rather than hand-rolled AES-GCM: it is authenticated, versioned, and its
``MultiFernet`` gives key rotation for free (the first key encrypts, any key decrypts).

Where the key comes from, in order:

1. ``LEDGERBRIDGE_SECRET_KEY`` (setting ``secret_key``): one Fernet key, or several separated by
   commas (newest first), which is how a deployment rotates keys without re-encrypting everything at once;
2. a key file, ``LEDGERBRIDGE_KEY_FILE`` (setting ``key_file``, default ``./.ledgerbridge-secret.key``),
   created with mode 0600 on first use so an embedded (SQLite) install works out of the box.

The key file is created with ``O_EXCL`` so two processes starting together agree on one key.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ledgerbridge.config import AppSettings, env_name, get_settings, reset_settings

__all__ = [
    "DEFAULT_KEY_FILE",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "TokenCipher",
    "TokenDecryptionError",
    "default_cipher",
]

KEY_ENV = env_name("secret_key")
KEY_FILE_ENV = env_name("key_file")
DEFAULT_KEY_FILE = str(AppSettings.model_fields["key_file"].default)


class TokenDecryptionError(Exception):
    """A stored secret could not be decrypted: the key changed or the value was tampered with."""


class TokenCipher:
    """Encrypts and decrypts short secrets (tokens, client secrets) as printable text."""

    def __init__(self, keys: list[bytes] | bytes | str) -> None:
        if isinstance(keys, (bytes, str)):
            keys = _split_keys(keys)
        if not keys:
            raise ValueError("TokenCipher needs at least one Fernet key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @classmethod
    def from_settings(cls, settings: AppSettings | None = None) -> TokenCipher:
        """The cipher the settings describe (this process's by default): key(s) first, else the key file."""
        settings = settings or get_settings()
        raw = settings.secret_key.get_secret_value().strip() if settings.secret_key is not None else ""
        if raw:
            return cls(raw)
        return cls(load_or_create_key_file(settings.key_file))

    @classmethod
    def default(cls) -> TokenCipher:
        """The process-wide cipher (same as :func:`default_cipher`)."""
        return default_cipher()

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenDecryptionError(
                "a stored secret could not be decrypted: was LEDGERBRIDGE_SECRET_KEY or the key file changed?"
            ) from exc

    def encrypt_optional(self, plaintext: str | None) -> str | None:
        return None if plaintext is None else self.encrypt(plaintext)

    def decrypt_optional(self, ciphertext: str | None) -> str | None:
        return None if ciphertext is None else self.decrypt(ciphertext)

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the newest key (for a key-rotation job)."""
        return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")


def _split_keys(raw: bytes | str) -> list[bytes]:
    text = raw.decode("ascii") if isinstance(raw, bytes) else raw
    return [part.strip().encode("ascii") for part in text.replace("\n", ",").split(",") if part.strip()]


def load_or_create_key_file(path: Path) -> list[bytes]:
    """Read the key file, creating it (0600, exclusive) with a fresh key when it does not exist."""
    try:
        return _split_keys(path.read_bytes())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process created it between our read and our create: use theirs.
        return _split_keys(path.read_bytes())
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return [key]


_default: tuple[AppSettings, TokenCipher] | None = None
_default_lock = threading.Lock()


def default_cipher() -> TokenCipher:
    """The process-wide cipher, built once per settings object (reading the key file is not free)."""
    global _default
    settings = get_settings()
    with _default_lock:
        if _default is None or _default[0] is not settings:
            _default = (settings, TokenCipher.from_settings(settings))
        return _default[1]


def reset_default_cipher() -> None:
    """Forget the cached settings and cipher (a process that changed its environment calls this)."""
    global _default
    reset_settings()
    with _default_lock:
        _default = None
