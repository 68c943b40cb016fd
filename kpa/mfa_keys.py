"""Second factors encrypted at rest: the keys and the encryption (no allauth imports, so settings.py
can check the keys).

allauth stores a TOTP secret and the seed of the recovery codes in Authenticator.data and passes them
through its MFA adapter's encrypt()/decrypt() hooks. KPA encrypts them with Fernet (AES-128-CBC with an
HMAC-SHA256, from `cryptography`) under MFA_ENCRYPTION_KEYS, a list of keys distinct from SECRET_KEY:
the first one encrypts, every one decrypts. To rotate, put a new key in front, run
`manage.py mfa_rotate_keys` (re-encrypts every stored secret with the new key), then drop the old key.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Which values of Authenticator.data are secret, per type.
SECRET_KEYS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LISTS = {"recovery_codes": ("migrated_codes",)}


class SecretUnreadable(RuntimeError):
    """A stored secret that none of MFA_ENCRYPTION_KEYS opens: a key was dropped before rotating."""


def derived_development_key(secret_key: str) -> str:
    """For DEBUG and the tests only: a key derived from SECRET_KEY, so development needs no set-up."""
    digest = hashlib.sha256(f"kpa.mfa.development:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def check_keys(keys: list[str], *, secret_key: str) -> list[str]:
    """The keys, each a valid Fernet key and none equal to SECRET_KEY; anything else stops the process."""
    if not keys:
        raise ImproperlyConfigured(
            "Set MFA_ENCRYPTION_KEYS (comma-separated Fernet keys; make one with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).'
        )
    for n, key in enumerate(keys, start=1):
        if key == secret_key:
            raise ImproperlyConfigured(f"MFA_ENCRYPTION_KEYS key {n} is SECRET_KEY: use a key of its own.")
        try:
            Fernet(key)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"MFA_ENCRYPTION_KEYS key {n} is not a Fernet key (32 url-safe base64-encoded bytes)."
            ) from error
    return keys


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "A stored MFA secret cannot be decrypted with MFA_ENCRYPTION_KEYS (was a key dropped before "
            "running mfa_rotate_keys?)."
        ) from error


def is_encrypted(value: str) -> bool:
    try:
        fernet().decrypt(value.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The same secret, encrypted with the first key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("A stored MFA secret cannot be decrypted with MFA_ENCRYPTION_KEYS.") from error


def transform_secrets(type_: str, data: dict, change: Callable[[str], str]) -> dict:
    """A copy of an Authenticator's data with `change` applied to each of its secret values."""
    data = dict(data)
    for key in SECRET_KEYS.get(type_, ()):
        if isinstance(data.get(key), str):
            data[key] = change(data[key])
    for key in SECRET_LISTS.get(type_, ()):
        if isinstance(data.get(key), list):
            data[key] = [change(value) for value in data[key]]
    return data
