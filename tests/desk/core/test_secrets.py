"""Secrets at rest: encrypted, decryptable after key rotation, unreadable with a wrong key."""

from __future__ import annotations

import base64

import pytest
from django.test import override_settings

from patchdesk.desk.core.secrets import SecretUnreadableError, secret_decrypt, secret_encrypt

OTHER_KEY = base64.urlsafe_b64encode(b"another-key-another-key-another!").decode()


def test_round_trip_never_stores_the_plaintext() -> None:
    token = secret_encrypt("alice-pw-123")
    assert b"alice-pw-123" not in token
    assert secret_decrypt(token) == "alice-pw-123"


def test_rotation_keeps_old_secrets_readable() -> None:
    from django.conf import settings

    old_token = secret_encrypt("passphrase")
    with override_settings(
        PATCHDESK_ENCRYPTION_KEYS=(OTHER_KEY, *settings.PATCHDESK_ENCRYPTION_KEYS)
    ):
        assert secret_decrypt(old_token) == "passphrase"
        new_token = secret_encrypt("passphrase")
    with override_settings(PATCHDESK_ENCRYPTION_KEYS=(OTHER_KEY,)):
        assert secret_decrypt(new_token) == "passphrase"
        with pytest.raises(SecretUnreadableError, match="PATCHDESK_ENCRYPTION_KEYS"):
            secret_decrypt(old_token)
