"""allauth's MFA adapter for KPA: second factors encrypted at rest (see kpa/mfa_keys.py)."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter

from kpa.mfa_keys import decrypt, encrypt


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)
