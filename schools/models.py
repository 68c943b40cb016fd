from __future__ import annotations

from django.db import models
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
        indexes = [models.Index(fields=["gemeente", "wijk"], name="school_gemeente_wijk_idx")]

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

    class Meta:
        verbose_name = _("school holiday")
        verbose_name_plural = _("school holidays")
        ordering = ["start_date", "region"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="holiday_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_region_display()})"
