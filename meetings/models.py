"""KPO meetings and what they produce. No pupil is stored: casework is counted by theme, and every free
text passes kpa.privacy before it is saved."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.personal_data import personal
from meetings.dates import local_day, validate_stored_date
from programme.models import ActionLine


class MeetingKind(models.TextChoices):
    KPO = "kpo", _("KPO")
    PROCESS_EVALUATION = "procesevaluatie", _("Process evaluation")
    WORK_VISIT = "werkbezoek", _("Work visit")
    LEARNING_NETWORK = "lerend_netwerk", _("Learning network")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MeetingSeries(models.Model):
    """Meetings planned together: every N weeks through the school year, skipping school holidays."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="meeting_series")
    interval_weeks = models.PositiveSmallIntegerField(_("every so many weeks"))
    # iCalendar identity of the series (f"{uid}@kpa"): one VEVENT with an RRULE in the invitation, and
    # each moved or cancelled meeting an override of it (same UID, RECURRENCE-ID = its original start).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self) -> str:
        return f"{self.school} / {self.interval_weeks}"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self) -> MeetingQuerySet:
        return self.filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())


class Meeting(models.Model):
    """A KPO (or other meeting) of a school: planned time in UTC (shown in Europe/Amsterdam), invitees,
    agenda, and after it the log: attendance, minutes, casework counts, questions and agreements."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.KPO)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # iCalendar identity: the same UID for every update, a higher SEQUENCE with each change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    minutes = models.TextField(_("minutes"), blank=True)
    logged_at = models.DateTimeField(_("log completed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the time or place last changed (planning, moving): a reminder due before that is not sent,
    # as the invitation or update mail just told everyone. Other saves (a log) leave it alone.
    rescheduled_at = models.DateTimeField(default=timezone.now, editable=False)
    # A meeting of a series that was invited as one series: the start the series planned for it, its
    # RECURRENCE-ID, which never changes when the meeting moves. Empty for a meeting planned on its
    # own (and for series planned before series invitations existed: their meetings keep their own UID).
    original_starts_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["school", "status", "starts_at"], name="meeting_school_next_idx"),
            models.Index(fields=["status", "starts_at"], name="meeting_due_idx"),
            # The latest meetings of every school in the country (an admin's meetings list), newest first:
            # read backwards from here instead of sorting 335,000 meetings.
            models.Index(fields=["starts_at", "id"], name="meeting_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.get_kind_display()} {self.school} {local:%Y-%m-%d %H:%M}"

    @property
    def is_logged(self) -> bool:
        return self.logged_at is not None

    @property
    def is_series_occurrence(self) -> bool:
        """In calendars this meeting is an occurrence of its series (UID of the series + RECURRENCE-ID)."""
        return self.series_id is not None and self.original_starts_at is not None

    def clean(self) -> None:
        """No time far outside the school years (a typing error such as 31-12-9999 otherwise reaches the
        arithmetic on it and overflows)."""
        super().clean()
        for name in ("starts_at", "ends_at"):
            moment = getattr(self, name)
            if moment is not None:
                try:
                    validate_stored_date(local_day(moment))
                except ValidationError as error:
                    raise ValidationError({name: error.messages}) from error


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not recorded")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    REPLACED = "replaced", _("Replaced")


class Invitee(models.Model):
    """Who was invited (the team on the day of planning) and, after the meeting, whether they came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_to"
    )
    role = models.CharField(_("role"), max_length=20)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    # A name typed as text (a stand-in without an account): personal data the register must name.
    replaced_by = personal(models.CharField(_("replaced by"), max_length=200, blank=True))

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="invitee_unique_person")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.meeting_id}"


class AgendaTemplate(models.Model):
    """The default KPO agenda, one item per line; coordinators edit it for their gemeente."""

    gemeente = models.OneToOneField(
        "schools.Gemeente", on_delete=models.CASCADE, related_name="agenda_template", null=True, blank=True
    )
    items = models.TextField(_("agenda items"), help_text=_("One item per line."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agenda template")
        verbose_name_plural = _("agenda templates")

    def __str__(self) -> str:
        return str(self.gemeente or _("default"))

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("item"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    carried_agreement = models.ForeignKey(
        "Agreement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    carried_question = models.ForeignKey(
        "CollectiveQuestion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]

    def __str__(self) -> str:
        return self.title


class CaseworkTheme(models.TextChoices):
    ATTENDANCE = "verzuim", _("Absence and thuiszitters")
    HEALTH = "gezondheid", _("Health")
    BEHAVIOUR = "gedrag", _("Behaviour")
    WELLBEING = "sociaal_emotioneel", _("Social and emotional development")
    LEARNING = "leren", _("Learning and development")
    HOME = "thuissituatie", _("Home situation and parenting")
    SAFETY = "veiligheid", _("Safety")
    OTHER = "overig", _("Other")


class CaseworkCount(models.Model):
    """How many pupils were discussed per theme: a number, never a description of a child."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="casework_counts")
    theme = models.CharField(_("theme"), max_length=20, choices=CaseworkTheme.choices)
    count = models.PositiveSmallIntegerField(_("number of pupils"))

    class Meta:
        verbose_name = _("casework count")
        verbose_name_plural = _("casework counts")
        constraints = [models.UniqueConstraint(fields=["meeting", "theme"], name="casework_unique_theme")]

    def __str__(self) -> str:
        return f"{self.get_theme_display()}: {self.count}"


class CollectiveQuestion(models.Model):
    """A question of the school as a whole (not about one pupil), carried until it is answered."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="collective_questions"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="collective_questions")
    text = models.TextField(_("question"))
    # What it is about, so the coordinator sees what schools raise (issue 12): a casework theme and the
    # action line it serves, both optional.
    theme = models.CharField(_("theme"), max_length=20, choices=CaseworkTheme.choices, blank=True)
    action_line = models.ForeignKey(
        ActionLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collective_questions",
        verbose_name=_("action line"),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("collective question")
        verbose_name_plural = _("collective questions")
        ordering = ["meeting__starts_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def open(self) -> AgreementQuerySet:
        return self.filter(status=AgreementStatus.OPEN)

    def overdue(self, today=None) -> AgreementQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Agreement(models.Model):
    """An afspraak: what, who (any team member), by when, optionally serving an action line."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="agreements")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agreements")
    description = models.TextField(_("agreement"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))
    action_line = models.ForeignKey(
        ActionLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("action line"),
    )
    status = models.CharField(_("status"), max_length=10, choices=AgreementStatus.choices, default="open")
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="agreement_owner_open_idx")]

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        super().clean()
        if self.due_date is not None:
            try:
                validate_stored_date(self.due_date)
            except ValidationError as error:
                raise ValidationError({"due_date": error.messages}) from error


class NotificationKind(models.TextChoices):
    """The kinds of mail meetings registers with the outbox (meetings.notifications). A reminder's days
    before the meeting are in its payload: any configured day (settings.KPA_REMINDER_DAYS) is a reminder."""

    INVITATION = "invitation", _("Invitation")
    SERIES_INVITATION = "series_invitation", _("Invitation to a series")
    UPDATE = "update", _("Changed meeting")
    CANCELLATION = "cancellation", _("Cancelled meeting")
    REMINDER = "reminder", _("Reminder before the meeting")
    LOG_NUDGE = "log_nudge", _("Nudge to log the meeting")
    OVERDUE_DIGEST = "overdue_digest", _("Weekly overdue agreements")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A personal .ics feed of the meetings of one's schools, behind a secret URL the person can renew."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
