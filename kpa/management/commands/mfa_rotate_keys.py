"""Re-encrypt every stored second-factor secret with the first of MFA_ENCRYPTION_KEYS.

Rotation: put the new key in front (MFA_ENCRYPTION_KEYS=new,old), restart, run this command, then drop
the old key and restart again. Until the command has run, the old key must stay: it still opens secrets."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from kpa import mfa_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored TOTP secret and recovery-code seed with the first MFA_ENCRYPTION_KEYS key."
    )

    def handle(self, *args, **options):
        changed = 0
        with transaction.atomic():
            authenticators = Authenticator.objects.select_for_update().filter(
                type__in=list(mfa_keys.SECRET_KEYS)
            )
            for authenticator in authenticators:
                data = mfa_keys.transform_secrets(authenticator.type, authenticator.data, mfa_keys.rotate)
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
                changed += 1
        self.stdout.write(f"Re-encrypted the secrets of {changed} authenticators with the first key.")
