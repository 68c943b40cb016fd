"""Writes about people and access. Each one is a transaction; mails go out after it commits."""

from __future__ import annotations

import logging
import secrets

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kpa.emails import send_template_mail
from kpa.models import Invitation, User, UserKind, hash_token
from kpa.outbox.models import Notification
from kpa.signals import person_deactivated

logger = logging.getLogger(__name__)

LEFT_KPA = "Recipient left KPA."


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


@transaction.atomic
def user_deactivate(*, user: User, by: User | None) -> None:
    """The one way a person leaves KPA (the people page and the Django admin both call it), in one
    transaction: the account is switched off (is_active, deactivated_at, from which the retention of
    inactive accounts counts); their sessions end at once; an unused invitation link stops working; the
    apps above end what the person holds (person_deactivated: partners ends their seats as of today, so
    the roster shows the gap the same day and planned meetings drop them; meetings deletes their calendar
    feed); and their unsent mail is skipped. Deactivating someone who is already inactive does nothing.
    `by`: who did it, for the log (the audit trail names the signed-in actor of the request). Switching
    someone on again is not this service's job (the Django admin does it)."""
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None or not locked.is_active:
        return
    now = timezone.now()
    locked.is_active, locked.deactivated_at = False, now
    locked.save(update_fields=["is_active", "deactivated_at"])
    user.is_active, user.deactivated_at = False, now  # the caller's copy says so too
    for session in UserSession.objects.filter(user_id=user.pk):
        session.end()  # its Django session too: the next request is anonymous
    Invitation.objects.filter(user_id=user.pk, accepted_at=None).delete()
    person_deactivated.send(sender=User, person=locked, on=timezone.localdate(now))
    # Last, so that a row the receivers queued is caught as well (the sender also skips inactive people).
    Notification.objects.filter(recipient_id=user.pk, sent_at=None, skipped_at=None).update(
        skipped_at=now, skip_reason=LEFT_KPA
    )
    logger.info("Person %s deactivated by %s.", user.pk, by.pk if by is not None else "the system")
