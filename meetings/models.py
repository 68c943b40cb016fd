from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    KPO = "kpo", _("KPO")
    PROCESS_EVALUATION = "procesevaluatie", _("Process evaluation")
    WORK_VISIT = "werkbezoek", _("Work visit")
    LEARNING_NETWORK = "lerend_netwerk", _("Learning network")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """A KPO (or other meeting) of a school. Planning, logging and reminders build on this."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.KPO)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["school", "status", "starts_at"], name="meeting_school_next_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.school} {self.starts_at:%Y-%m-%d}"
