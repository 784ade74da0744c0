"""Secrets at rest (credentials, SSL passphrases): encrypted with the installation's keys.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``). The first configured key encrypts;
every key decrypts, so keys can be rotated (``PATCHDESK_ENCRYPTION_KEYS=new,old``).
Decrypted values are never logged and never shown back in the desk.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["SecretUnreadableError", "secret_decrypt", "secret_encrypt"]


class SecretUnreadableError(Exception):
    """The stored secret cannot be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in settings.PATCHDESK_ENCRYPTION_KEYS])


def secret_encrypt(plaintext: str) -> bytes:
    return _fernet().encrypt(plaintext.encode("utf-8"))


def secret_decrypt(token: bytes | memoryview) -> str:
    try:
        return _fernet().decrypt(bytes(token)).decode("utf-8")
    except InvalidToken:
        raise SecretUnreadableError(
            "a stored secret cannot be decrypted: was PATCHDESK_ENCRYPTION_KEYS changed?"
        ) from None
