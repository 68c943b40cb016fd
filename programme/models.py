"""The uitvoeringsprogramma (seed 004, §9): a gemeente's programme for one sector, its action lines with
their speerpunten, the activities under them, and the progress updates that follow an activity in a PDCA
cycle. Utrecht's five lines for primary education are in programme.seed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.validators import validate_one_line
from partners.models import Organisation
from schools.models import Gemeente, School, Sector, Wijk

STALE_AFTER = dt.timedelta(days=60)  # an activity under way without an update for this long is stale


class Programme(models.Model):
    """A gemeente's programme for one sector: Utrecht's five lines are for primary education (PO)."""

    gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("municipality")
    )
    sector = models.CharField(_("sector"), max_length=3, choices=Sector.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["gemeente__name", "sector"]
        constraints = [
            models.UniqueConstraint(fields=["gemeente", "sector"], name="programme_unique_gemeente_sector")
        ]

    def __str__(self) -> str:
        return self.title


class ActionLine(models.Model):
    """An action line of a programme (Utrecht PO's five: seed 000).

    Moved from meetings with its table and rows kept (meetings 0006, programme 0001). A line without a
    programme is one of the five made by meetings 0002 before there were programmes; it joins Utrecht's
    programme when that gemeente exists (programme 0003, or seed_demo)."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("programme"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    description = models.TextField(_("description"), blank=True)

    class Meta:
        db_table = "meetings_actionline"
        verbose_name = _("action line")
        verbose_name_plural = _("action lines")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="actionline_unique_number"),
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(programme=None),
                name="actionline_unique_number_unattached",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Speerpunt(models.Model):
    """A spearhead of an action line (the • bullets of seed 000)."""

    line = models.ForeignKey(
        ActionLine, on_delete=models.CASCADE, related_name="speerpunten", verbose_name=_("action line")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("text"), max_length=300)

    class Meta:
        verbose_name = _("speerpunt")
        verbose_name_plural = _("speerpunten")
        ordering = ["line", "order"]
        constraints = [models.UniqueConstraint(fields=["line", "order"], name="speerpunt_unique_order")]

    def __str__(self) -> str:
        return self.text


class ActivityStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped")


UNDER_WAY = (ActivityStatus.PLANNED, ActivityStatus.RUNNING)  # the statuses that go stale without updates


class Activity(models.Model):
    """A pilot or initiative under an action line: what the uitvoeringsprogramma (seed 004, §9) asks of it."""

    line = models.ForeignKey(
        ActionLine, on_delete=models.PROTECT, related_name="activities", verbose_name=_("action line")
    )
    speerpunt = models.ForeignKey(
        Speerpunt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("speerpunt"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.IDEA
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    steps_taken = models.TextField(_("steps taken"), blank=True)
    steps_planned = models.TextField(_("steps planned"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="activities", verbose_name=_("organisations involved")
    )
    other_partners = models.TextField(_("other partners involved"), blank=True)
    intended_results = models.TextField(_("intended results"), blank=True)
    trekker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities_led",
        verbose_name=_("trekker"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities_responsible",
        verbose_name=_("final responsible"),
    )
    steering = models.TextField(_("agreements on steering"), blank=True)
    accountability = models.TextField(_("agreements on monitoring and accountability"), blank=True)
    communication = models.TextField(_("agreements on communication"), blank=True)
    money = models.TextField(_("agreements on money"), blank=True)
    citywide = models.BooleanField(_("whole municipality"), default=False)
    wijken = models.ManyToManyField(Wijk, blank=True, related_name="activities", verbose_name=_("wijken"))
    schools = models.ManyToManyField(School, blank=True, related_name="activities", verbose_name=_("schools"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["line", "speerpunt__order", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on=None)
                | models.Q(starts_on=None)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def last_active_on(self) -> dt.date:
        """The date of its latest update (annotated as `last_update_on`), else the day it was made."""
        last = getattr(self, "last_update_on", None)
        return last or timezone.localdate(self.created_at)

    def is_stale_on(self, today: dt.date) -> bool:
        return self.status in UNDER_WAY and self.last_active_on <= today - STALE_AFTER

    @property
    def is_stale(self) -> bool:
        """Under way (planned or running) and no update for 60 days (needs `last_update_on` annotated)."""
        return self.is_stale_on(timezone.localdate())


class PdcaPhase(models.TextChoices):
    PLAN = "plan", _("Plan")
    DO = "do", _("Do")
    CHECK = "check", _("Check")
    ACT = "act", _("Act")


class TrafficLight(models.TextChoices):
    GREEN = "green", _("On track")
    ORANGE = "orange", _("At risk")
    RED = "red", _("Off track")


class ProgressUpdate(models.Model):
    """A step in the activity's PDCA cycle: what happened, how it stands, and maybe a success to celebrate."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="updates", verbose_name=_("activity")
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("text"))
    phase = models.CharField(_("PDCA phase"), max_length=5, choices=PdcaPhase.choices)
    light = models.CharField(_("traffic light"), max_length=6, choices=TrafficLight.choices)
    is_success = models.BooleanField(_("success"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_updates",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["activity", "date"], name="progressupdate_activity_date")]

    def __str__(self) -> str:
        return f"{self.activity} ({self.date:%Y-%m-%d})"


class Indicator(models.Model):
    """What an activity measures to see whether it reaches its intended results."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("activity")
    )
    name = models.CharField(_("indicator"), max_length=200, validators=[validate_one_line])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["activity", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "name"], name="indicator_unique_name")]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """A measured value of an indicator on a date, maybe recorded with a progress update."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name=_("progress update"),
    )

    class Meta:
        verbose_name = _("measured value")
        verbose_name_plural = _("measured values")
        ordering = ["indicator", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.date:%Y-%m-%d})"
