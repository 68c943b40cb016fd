from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kpa.validators import validate_one_line


class Gemeente(models.Model):
    code = models.CharField(_("CBS code"), max_length=4, unique=True, help_text=_("Four digits, e.g. 0344."))
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])
    # The privacy facts the verwerkingsregister shows per gemeente (front.views_privacy): who is responsible
    # for the processing (AVG art. 4(7)) and the privacy convenant the partners signed.
    privacy_controller = models.CharField(
        _("controller"),
        max_length=200,
        blank=True,
        db_default="",  # rows written by code that predates the column (an older migration state) get ""
        validators=[validate_one_line],
        help_text=_(
            "Who is responsible for the processing, e.g. the mayor and aldermen of the municipality."
        ),
    )
    privacy_covenant = models.CharField(
        _("privacy covenant"),
        max_length=200,
        blank=True,
        db_default="",
        validators=[validate_one_line],
        help_text=_("The title of the privacy covenant in force between the partners."),
    )
    privacy_covenant_url = models.URLField(_("privacy covenant link"), blank=True, db_default="")
    privacy_covenant_since = models.DateField(_("privacy covenant in force since"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Wijk(models.Model):
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="wijken")
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])

    class Meta:
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["gemeente", "name"], name="wijk_unique_name")]

    def __str__(self) -> str:
        return self.name


class Sector(models.TextChoices):
    PO = "PO", _("Primary education (PO)")
    SBO = "SBO", _("Special primary education (SBO)")
    SO = "SO", _("Special education (SO)")
    VO = "VO", _("Secondary education (VO)")
    VSO = "VSO", _("Special secondary education (VSO)")


class HolidayRegion(models.TextChoices):
    NOORD = "noord", _("North")
    MIDDEN = "midden", _("Middle")
    ZUID = "zuid", _("South")


class School(models.Model):
    """A school location (vestiging), identified by BRIN code plus vestigingsnummer as DUO registers it."""

    brin = models.CharField(_("BRIN code"), max_length=4)
    vestiging = models.CharField(_("location number"), max_length=2, default="00")
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    sector = models.CharField(_("sector"), max_length=3, choices=Sector.choices)
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="schools")
    wijk = models.ForeignKey(Wijk, on_delete=models.PROTECT, null=True, blank=True, related_name="schools")
    street = models.CharField(_("address"), max_length=200, blank=True, validators=[validate_one_line])
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("place"), max_length=100, blank=True, validators=[validate_one_line])
    bestuur = models.CharField(_("school board"), max_length=200, blank=True, validators=[validate_one_line])
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    holiday_region = models.CharField(
        _("holiday region"), max_length=6, choices=HolidayRegion.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brin", "vestiging"], name="school_unique_brin_vestiging"),
        ]
        indexes = [
            models.Index(fields=["gemeente", "wijk"], name="school_gemeente_wijk_idx"),
            # The roster's order (name, then id): a page of 50 of the country's schools read from the index.
            models.Index(fields=["name", "id"], name="school_name_order_idx"),
            # A sector's schools in the roster's order: the count and the page of a sector and a gap read
            # the sector's schools, not every school (at 10,000 schools 1.3-1.9 ms against 2.4-3.0 for
            # the count, 2.8 against 3.7-4.0 for a page of the smaller sector).
            models.Index(fields=["sector", "name", "id"], name="school_sector_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def brin_vestiging(self) -> str:
        return f"{self.brin}{self.vestiging}"


class PostcodeArea(models.Model):
    """DUO's register knows no wijk: an admin maps 4-digit postcode areas to wijken once, and imported
    schools land in the wijk of their postcode."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="postcode_areas")
    postcode4 = models.CharField(_("postcode area"), max_length=4, help_text=_("The four digits, e.g. 3531."))
    wijk = models.ForeignKey(Wijk, on_delete=models.CASCADE, related_name="postcode_areas")

    class Meta:
        verbose_name = _("postcode area")
        verbose_name_plural = _("postcode areas")
        ordering = ["postcode4"]
        constraints = [
            models.UniqueConstraint(
                fields=["gemeente", "postcode4"], name="postcodearea_unique_per_gemeente"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.postcode4} → {self.wijk}"


class SchoolHoliday(models.Model):
    """A school holiday of one region (noord, midden, zuid), as the government publishes them; planning
    a series of KPOs skips these weeks."""

    region = models.CharField(_("holiday region"), max_length=6, choices=HolidayRegion.choices)
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    # Set by the import of the government's file (schools.holidays), which knows a holiday by region, name
    # and school year; empty for a holiday typed by hand.
    school_year = models.CharField(
        _("school year"), max_length=9, blank=True, default="", help_text=_("For example 2025-2026.")
    )

    class Meta:
        verbose_name = _("school holiday")
        verbose_name_plural = _("school holidays")
        ordering = ["start_date", "region"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="holiday_end_after_start"
            ),
            # One imported holiday per region, name (in any case) and school year: importing a file twice
            # cannot add a duplicate. Holidays typed by hand (no school year) are not held to it.
            models.UniqueConstraint(
                Lower("name"),
                "region",
                "school_year",
                condition=~models.Q(school_year=""),
                name="holiday_unique_per_school_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_region_display()})"


class DuoImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, not yet confirmed")
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class DuoImport(models.Model):
    """One upload of a DUO file, from upload through preview to the import a worker runs in the background.

    The file lives in this row (never on one web node's disk), so that any web process can show its
    preview and any worker can import it; it is emptied once the import is done or cancelled, and the
    figures stay for the admin to read. The worker imports in batches, each in one transaction with
    `rows_done` and the figures, so a worker that dies loses at most the batch it was writing: the next
    one (a worker's redelivery or the minutely sweep, once `lease_until` has passed) goes on from there.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    data = models.BinaryField(blank=True, default=b"")
    gemeente = models.CharField(_("only this municipality"), max_length=100, blank=True)
    sector = models.CharField(_("sector for rows that do not say it"), max_length=3, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DuoImportStatus.choices, default=DuoImportStatus.UPLOADED
    )
    rows_total = models.PositiveIntegerField(_("rows to import"), default=0)
    rows_done = models.PositiveIntegerField(_("rows imported"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    unplaced_count = models.PositiveIntegerField(_("without a wijk"), default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.UUIDField(null=True, blank=True)  # the run that holds the lease
    attempts = models.PositiveSmallIntegerField(default=0)  # runs that stopped on an error
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("DUO import")
        verbose_name_plural = _("DUO imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_until"], name="duoimport_status_lease_idx")]

    def __str__(self) -> str:
        return f"{self.file_name or 'DUO'} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (DuoImportStatus.DONE, DuoImportStatus.CANCELLED, DuoImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == DuoImportStatus.DONE:
            return 100
        return (100 * self.rows_done // self.rows_total) if self.rows_total else 0
