"""The outbox's one model. It lived in meetings until the layers refactor; its table kept its name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet["Notification"]):
    def due(self, now=None) -> NotificationQuerySet:
        return self.filter(sent_at=None, skipped_at=None, due_at__lte=now or timezone.now())


class Notification(models.Model):
    """The outbox and sent-log of every mail KPA sends. What is due lives here (not as countdowns in the
    broker); a beat task sweeps it. The unique key names the mail (its kind's key format: kind, meeting
    and its planned time or SEQUENCE, recipient; or the digest's week), so a retried or duplicated task
    can never create or send it twice. `kind` names an entry of the registry (kpa.outbox.registry); what
    a kind needs to know about one mail (a reminder's days, the time it names) is in `payload`.
    sent_at is set in the transaction that holds the row's lock while the mail is sent."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The meeting a mail is about, if any (a string reference: the outbox imports no feature app). Kinds
    # about something else carry it in `payload`.
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    payload = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    skipped_at = models.DateTimeField(_("skipped"), null=True, blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "meetings_notification"  # the table it had in meetings, rows and all
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["sent_at", "skipped_at", "due_at"], name="notification_due_idx"),
            # The claim of a batch (sender.send_batch) reads the unsent rows in (due_at, id) order: with this
            # index it reads the first `size` of them, not the whole backlog sorted (71 ms a batch with
            # 20,000 rows due, a quarter of the sending time of the national prompt run).
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(sent_at=None, skipped_at=None),
                name="notification_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.key
