"""Writes about people and access. Each one is a transaction; mails go out after it commits."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kpa.emails import send_template_mail
from kpa.models import Invitation, User, UserKind, hash_token


def invitation_url(token: str) -> str:
    from django.urls import reverse

    return f"{settings.SITE_URL}{reverse('kpa:invitation-accept', kwargs={'token': token})}"


@transaction.atomic
def user_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    kind: str,
    invited_by: User,
    phone: str = "",
    organisation=None,
    gemeente=None,
    wijk=None,
) -> Invitation:
    """Create the person (without a usable password) and e-mail them a link to set one."""
    user = User(
        email=email.strip().lower(),
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        kind=kind,
        organisation=organisation,
        gemeente=gemeente,
        wijk=wijk,
        # A functional administrator manages everything, in KPA's screens and in the Django admin.
        is_staff=kind == UserKind.ADMIN,
        is_superuser=kind == UserKind.ADMIN,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return invitation_send(user=user, invited_by=invited_by)


@transaction.atomic
def invitation_send(*, user: User, invited_by: User | None) -> Invitation:
    """A new link; earlier unused links of this person stop working."""
    Invitation.objects.filter(user=user, accepted_at=None).update(expires_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=hash_token(token),
        created_by=invited_by,
        expires_at=timezone.now() + settings.INVITATION_VALID_FOR,
    )
    context = {
        "user": user,
        "invited_by": invited_by,
        "url": invitation_url(token),
        "valid_days": settings.INVITATION_VALID_FOR.days,
    }
    transaction.on_commit(lambda: send_template_mail("invitation", to=[user.email], context=context))
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("user")
        .filter(token_hash=hash_token(token), accepted_at=None, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> bool:
    """Set the password, once. Returns False when the link was used or expired in the meantime."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at=None, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if claimed != 1:
        return False
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    mark_email_verified(user)
    return True


def mark_email_verified(user: User) -> None:
    """The invitation link reached this address, so it is the person's: allauth (and its MFA set-up,
    which refuses unverified addresses) may treat it as verified."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
