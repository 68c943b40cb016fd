"""TOTP secrets and recovery-code seeds stored before KPA encrypted them are encrypted now (kpa/mfa_keys.py).
Values that are already encrypted are left alone, so running it twice changes nothing."""

from django.db import migrations


def encrypt_plain_secrets(apps, schema_editor):
    from kpa import mfa_keys

    def encrypt_if_plain(value: str) -> str:
        return value if mfa_keys.is_encrypted(value) else mfa_keys.encrypt(value)

    _transform_all(apps, encrypt_if_plain)


def decrypt_secrets(apps, schema_editor):
    from kpa import mfa_keys

    def decrypt_if_encrypted(value: str) -> str:
        return mfa_keys.decrypt(value) if mfa_keys.is_encrypted(value) else value

    _transform_all(apps, decrypt_if_encrypted)


def _transform_all(apps, change) -> None:
    from kpa import mfa_keys

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(mfa_keys.SECRET_KEYS)).iterator():
        data = mfa_keys.transform_secrets(authenticator.type, authenticator.data, change)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


class Migration(migrations.Migration):
    dependencies = [
        ("kpa", "0006_cache_fallback_table"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_plain_secrets, decrypt_secrets)]
