"""What kpa holds about people, and the third-party models it installs (allauth's addresses, authenticators
and sessions, Django's sessions, the audit trail of django-auditlog and of the Django admin), with their
retention. Registered from KpaConfig.ready(); the apps above register their own (<app>/personal_data.py)."""

from __future__ import annotations

import datetime as dt
import logging

from allauth.usersessions.models import UserSession
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa import personal_data
from kpa.models import AccessLog, Invitation, User
from kpa.outbox.models import Notification
from kpa.personal_data import Processing, Retention
from kpa.retention import PartlyPurged, add, delete_rows

logger = logging.getLogger(__name__)

ACCOUNTS = "accounts"
ACCOUNT_GROUP = _("Accounts and signing in")
SECURITY_GROUP = _("Security: access log and audit trail")
MAIL_GROUP = _("Mail")
BASIS_TASK = _("Public task (AVG art. 6(1)(e)): running the kernpartner approach the covenant agrees.")
BASIS_SECURITY = _("Legal obligation (AVG art. 32): securing the data and accounting for who used it.")
ADMINS = _("The administrators.")
SELF_AND_ADMINS = _("The person and the administrators.")


def purge_accounts(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """People who left (deactivated) before the cutoff are anonymised (kpa.anonymise)."""
    from kpa.anonymise import person_anonymise

    counts: dict[str, int] = {}
    errors: list[str] = []
    leavers = User.objects.filter(is_active=False, deactivated_at__lt=cutoff, anonymised_at__isnull=True)
    for pk in leavers.order_by("pk").values_list("pk", flat=True):
        try:  # each in its own savepoint (person_anonymise is atomic): one failure leaves the others done
            done = person_anonymise(User.objects.get(pk=pk), dry_run=dry_run)
        except Exception as error:
            logger.exception("Anonymising person %s failed.", pk)
            errors.append(f"person {pk}: {type(error).__name__}: {error}")
            continue
        for key, number in done.items():
            counts[key] = counts.get(key, 0) + number
    if errors:
        raise PartlyPurged(counts, errors)
    return counts


def purge_invitations(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    delete_rows(
        Invitation.objects.filter(
            Q(accepted_at__lt=cutoff) | Q(accepted_at__isnull=True, expires_at__lt=cutoff)
        ),
        dry_run,
        counts,
    )
    return counts


def purge_sessions(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """Sessions that expired (no use to anyone), and the record of a sign-in (IP address, browser) last
    seen before the cutoff, with its session."""
    counts: dict[str, int] = {}
    old = UserSession.objects.filter(last_seen_at__lt=cutoff)
    keys = list(old.values_list("session_key", flat=True))
    delete_rows(
        Session.objects.filter(Q(expire_date__lt=timezone.now()) | Q(session_key__in=keys)), dry_run, counts
    )
    delete_rows(old, dry_run, counts)
    return counts


def purge_outbox(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    delete_rows(
        Notification.objects.filter(Q(sent_at__lt=cutoff) | Q(skipped_at__lt=cutoff), due_at__lt=cutoff),
        dry_run,
        counts,
    )
    return counts


def purge_access_log(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    delete_rows(AccessLog.objects.filter(at__lt=cutoff), dry_run, counts)
    return counts


def purge_audit_log(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entries in (
        LogEntry.objects.filter(timestamp__lt=cutoff),
        AdminLogEntry.objects.filter(action_time__lt=cutoff),
    ):
        number = entries.count()
        add(counts, entries.model, number)
        if number and not dry_run:
            entries.delete()
    return counts


def _audit_entries_of(person: User) -> QuerySet[LogEntry]:
    """The audit entries a person made and those about their own account (an admin's change of it)."""
    user_type = ContentType.objects.get_for_model(User)
    return LogEntry.objects.filter(Q(actor=person) | Q(content_type=user_type, object_pk=str(person.pk)))


def register() -> None:
    personal_data.register_retention(
        Retention(
            key=ACCOUNTS,
            label=_("Accounts of people who left"),
            setting="KPA_KEEP_INACTIVE_ACCOUNT_DAYS",
            default_days=365,
            rule=_(
                "This many days after a person was deactivated, their account is anonymised: name and "
                "contact details become a pseudonym, the e-mail address can no longer receive mail, "
                "sessions, authenticators and calendar feed are deleted and the audit trail is scrubbed."
            ),
            why=_(
                "One year: long enough to answer questions about a handover or to bring back someone who "
                "returns; after that their history stays readable without their name."
            ),
            purge=purge_accounts,
            order=10,
        ),
        Retention(
            key="invitations",
            label=_("Invitations to create an account"),
            setting="KPA_KEEP_INVITATIONS_DAYS",
            default_days=90,
            rule=_("An invitation accepted or expired this many days ago is deleted."),
            why=_("Three months: enough to help someone whose invitation expired."),
            purge=purge_invitations,
            order=60,
        ),
        Retention(
            key="sessions",
            label=_("Sessions and sign-in records (IP address, browser)"),
            setting="KPA_KEEP_SESSIONS_DAYS",
            default_days=30,
            rule=_("Expired sessions are deleted; a sign-in record last seen this many days ago too."),
            why=_("A month: a person can check their recent sign-ins for anything unusual."),
            purge=purge_sessions,
            order=70,
        ),
        Retention(
            key="outbox",
            label=_("Mails sent (the outbox and its log)"),
            setting="KPA_OUTBOX_KEEP_DAYS",
            default_days=400,
            rule=_("A mail sent or skipped this many days ago is deleted from the log."),
            why=_(
                "Just over a year: a question about a missed invitation or reminder can be answered, and "
                "no mail planned for an earlier day is planned again."
            ),
            purge=purge_outbox,
            order=80,
        ),
        Retention(
            key="access_log",
            label=_("Access log (who opened or exported what)"),
            setting="KPA_KEEP_ACCESS_LOG_DAYS",
            default_days=730,
            rule=_("An entry this many days old is deleted."),
            why=_(
                "Two years: as long as the content it concerns, so every question about it can be answered."
            ),
            purge=purge_access_log,
            order=85,
        ),
        Retention(
            key="audit_log",
            label=_("Audit trail (who changed what)"),
            setting="KPA_KEEP_AUDIT_LOG_DAYS",
            default_days=730,
            rule=_(
                "An entry this many days old is deleted. Entries about content that goes earlier (minutes, "
                "agreements) go with that content."
            ),
            why=_("Two years: as long as the meeting content whose changes it records."),
            purge=purge_audit_log,
            order=90,
        ),
    )
    personal_data.register(
        Processing(
            model=settings.AUTH_USER_MODEL,
            group=ACCOUNT_GROUP,
            fields=(
                "email",
                "first_name",
                "last_name",
                "phone",
                "kind",
                "organisation",
                "gemeente",
                "wijk",
                "last_login",
                "date_joined",
                "is_active",
                "deactivated_at",
            ),
            people=("pk",),
            purpose=_("Signing in, and knowing who is who: name and contact details of every user."),
            legal_basis=BASIS_TASK,
            visible_to=_("Colleagues on the same schools' teams, their coordinators and the administrators."),
            retention=ACCOUNTS,
            anonymisation=_("Name and phone become a pseudonym, the e-mail address an unusable one."),
            on_leave="custom",
        ),
        Processing(
            model="kpa.Invitation",
            group=ACCOUNT_GROUP,
            fields=("user", "created_by", "created_at", "expires_at", "accepted_at"),
            people=("user",),
            purpose=_("The link with which a new user sets their password."),
            legal_basis=BASIS_TASK,
            visible_to=ADMINS,
            retention="invitations",
            anonymisation=_("Deleted."),
            on_leave="delete",
            export_fields=("id", "created_at", "expires_at", "accepted_at"),
        ),
        Processing(
            model="account.EmailAddress",
            group=ACCOUNT_GROUP,
            fields=("user", "email", "verified", "primary"),
            people=("user",),
            purpose=_("The e-mail address a person signs in with and receives mail at."),
            legal_basis=BASIS_TASK,
            visible_to=SELF_AND_ADMINS,
            retention=ACCOUNTS,
            anonymisation=_("Deleted."),
            on_leave="delete",
        ),
        Processing(
            model="account.EmailConfirmation",
            group=ACCOUNT_GROUP,
            fields=("email_address", "created", "sent"),
            people=("email_address__user",),
            purpose=_("Confirming an e-mail address."),
            legal_basis=BASIS_TASK,
            visible_to=ADMINS,
            retention=ACCOUNTS,
            anonymisation=_("Deleted."),
            on_leave="delete",
            export_fields=("id", "created", "sent"),
        ),
        Processing(
            model="mfa.Authenticator",
            group=ACCOUNT_GROUP,
            fields=("user", "type", "created_at", "last_used_at"),
            people=("user",),
            purpose=_("The second step of signing in (an authenticator app, recovery codes)."),
            legal_basis=BASIS_SECURITY,
            visible_to=_("The person; administrators see which kind, never the secret."),
            retention=ACCOUNTS,
            anonymisation=_("Deleted."),
            on_leave="delete",
        ),
        Processing(
            model="usersessions.UserSession",
            group=ACCOUNT_GROUP,
            fields=("user", "ip", "user_agent", "created_at", "last_seen_at"),
            people=("user",),
            purpose=_("Which devices are signed in, so a person or an administrator can end a session."),
            legal_basis=BASIS_SECURITY,
            visible_to=SELF_AND_ADMINS,
            retention="sessions",
            anonymisation=_("Deleted, ending the session."),
            on_leave="delete",
        ),
        Processing(
            model="sessions.Session",
            group=ACCOUNT_GROUP,
            fields=("session_data", "expire_date"),
            people=(),
            purpose=_("Keeping a person signed in between pages."),
            legal_basis=BASIS_SECURITY,
            visible_to=_("Nobody: the browser holds the key."),
            retention="sessions",
            anonymisation=_("Deleted with the sign-in record."),
            on_leave="custom",
        ),
        Processing(
            model="kpa.Notification",
            group=MAIL_GROUP,
            fields=("recipient", "kind", "due_at", "sent_at", "skipped_at"),
            people=("recipient",),
            purpose=_("Sending invitations, reminders and digests once, and knowing what was sent."),
            legal_basis=BASIS_TASK,
            visible_to=ADMINS,
            retention="outbox",
            anonymisation=_("Deleted."),
            on_leave="delete",
            export_fields=("id", "kind", "due_at", "sent_at", "skipped_at"),
        ),
        Processing(
            model="kpa.AccessLog",
            group=SECURITY_GROUP,
            fields=("actor", "subject", "what", "detail", "school", "at"),
            people=("actor", "subject"),
            purpose=_("Accounting for who opened or exported personal data."),
            legal_basis=BASIS_SECURITY,
            visible_to=ADMINS,
            retention="access_log",
            anonymisation=_("Kept; the person becomes the pseudonym, names in search terms are replaced."),
            free_text=("detail",),  # an export's filters: a name typed in the search box
            export_fields=("id", "at", "actor", "action", "what", "school", "subject"),
        ),
        Processing(
            model="auditlog.LogEntry",
            group=SECURITY_GROUP,
            fields=(
                "actor",
                "actor_email",
                "remote_addr",
                "remote_port",
                "changes",
                "changes_text",
                "object_repr",
            ),
            people=("actor",),
            purpose=_("Accounting for who changed what, and when."),
            legal_basis=BASIS_SECURITY,
            visible_to=ADMINS,
            retention="audit_log",
            anonymisation=_(
                "Kept; names and addresses in the copies become the pseudonym, the IP address is removed."
            ),
            on_leave="custom",
            export_fields=("id", "timestamp", "action", "content_type", "object_repr"),
            rows=_audit_entries_of,
        ),
        Processing(
            model="admin.LogEntry",
            group=SECURITY_GROUP,
            fields=("user", "object_repr", "change_message"),
            people=("user",),
            purpose=_("The history of changes made in the management screens."),
            legal_basis=BASIS_SECURITY,
            visible_to=ADMINS,
            retention="audit_log",
            anonymisation=_("Kept; names in the copies become the pseudonym."),
            on_leave="custom",
            export_fields=("id", "action_time", "content_type", "object_repr"),
        ),
    )
