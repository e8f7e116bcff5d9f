"""Credentials encrypted at rest (source connection URLs, HTTP headers, webhook secrets).

Fernet (AES-128-CBC + HMAC-SHA256) with keys derived from ``HEADWAY_FIELD_KEY`` (a comma
separated list, or ``HEADWAY_FIELD_KEY_FILE``), else from ``SECRET_KEY``. The first key
encrypts; every key decrypts, which is how a key is rotated (docs/feeds.md, "Keys").
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

from headway.env import envstr

PREFIX = "fernet:"


def _derive(secret: str) -> Fernet:
    digest = hashlib.sha256(b"headway-field-key:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@cache
def _fernet() -> MultiFernet:
    secrets = [s.strip() for s in envstr("HEADWAY_FIELD_KEY").split(",") if s.strip()]
    if not secrets:
        secrets = [settings.SECRET_KEY]
    return MultiFernet([_derive(secret) for secret in secrets])


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    try:
        return _fernet().decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError(
            "cannot decrypt a stored credential: HEADWAY_FIELD_KEY (or SECRET_KEY) changed "
            "without keeping the old key; enter the credential again"
        ) from None


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted; the Python value is the plain text ("" stays "")."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
