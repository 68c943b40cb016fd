"""The yearly process evaluation (issue 13): versioned questionnaires, rounds per gemeente and school year,
and the answers of each respondent per school.

- A **questionnaire version** belongs to a gemeente, or to nobody: the default every gemeente starts from
  (evaluations.default_questionnaire, installed by migration 0002). Its items are fixed once a round uses
  it: a coordinator who wants other questions makes a new version (evaluations.services.new_version), so
  a round always keeps the questions it was answered on.
- A **round** asks the schools it names, from `opens_on` to `closes_on` (Amsterdam days, both included).
  The automatic round of a gemeente's school year opens by itself on its evaluation moment
  (EvaluationMoment, or settings.KPA_EVALUATION_MOMENT); a coordinator may open others by hand.
- A **response** is one person's answers for one school in one round (someone on five schools answers five
  times); an **answer** is a score 1-5, "weet niet", or an open text, per item.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpa.validators import validate_one_line
from partners.models import Role
from schools.models import Gemeente, School


class ItemKind(models.TextChoices):
    STATEMENT = "statement", _("Statement (1-5)")
    OPEN = "open", _("Open question")


class QuestionnaireVersion(models.Model):
    gemeente = models.ForeignKey(
        Gemeente,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaire_versions",
        verbose_name=_("municipality"),
        help_text=_("Empty: the default questionnaire every municipality starts from."),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("based on")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["gemeente__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["gemeente", "number"], name="questionnaire_unique_number"),
            models.UniqueConstraint(
                fields=["number"], condition=Q(gemeente=None), name="questionnaire_default_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (versie {self.number})"

    @property
    def is_used(self) -> bool:
        """A round asks these questions: they can no longer change."""
        return self.rounds.exists()


class Item(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="items", verbose_name=_("version")
    )
    key = models.SlugField(
        _("key"), max_length=60, help_text=_("The same question keeps its key across versions.")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    section = models.CharField(_("section"), max_length=100, validators=[validate_one_line])
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    text = models.CharField(_("text"), max_length=300, validators=[validate_one_line])
    # The roles asked; empty: everyone. A list of partners.models.Role values.
    roles = models.JSONField(_("roles"), default=list, blank=True)
    action_line_number = models.PositiveSmallIntegerField(
        _("action line"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="item_unique_key"),
        ]

    def __str__(self) -> str:
        return self.text

    def is_asked_of(self, role: str) -> bool:
        return not self.roles or role in self.roles


class EvaluationMoment(models.Model):
    """When a gemeente's yearly round opens by itself (each school year, on this day) and how long it runs.
    A gemeente without one uses settings.KPA_EVALUATION_MOMENT."""

    gemeente = models.OneToOneField(
        Gemeente, on_delete=models.CASCADE, related_name="evaluation_moment", verbose_name=_("municipality")
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(_("day"), validators=[MinValueValidator(1), MaxValueValidator(28)])
    weeks_open = models.PositiveSmallIntegerField(
        _("weeks open"), default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    class Meta:
        verbose_name = _("evaluation moment")
        verbose_name_plural = _("evaluation moments")

    def __str__(self) -> str:
        return f"{self.gemeente}: {self.day}-{self.month}"


class Round(models.Model):
    gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, related_name="evaluation_rounds", verbose_name=_("municipality")
    )
    school_year = models.PositiveSmallIntegerField(_("school year"), help_text=_("2026 is 2026-2027."))
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("questionnaire")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    automatic = models.BooleanField(_("opened by itself"), default=False)
    schools = models.ManyToManyField(School, related_name="evaluation_rounds", verbose_name=_("schools"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="round_closes_after_opening"
            ),
            # One automatic round per gemeente and school year: opening it twice (two workers, two sweeps)
            # is refused by the database.
            models.UniqueConstraint(
                fields=["gemeente", "school_year"],
                condition=Q(automatic=True),
                name="round_one_automatic_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gemeente} {self.school_year}–{self.school_year + 1}"

    def is_open_on(self, day: dt.date) -> bool:
        return self.opens_on <= day <= self.closes_on


class Response(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="responses")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")
        constraints = [
            models.UniqueConstraint(fields=["round", "school", "respondent"], name="response_one_per_school"),
        ]

    def __str__(self) -> str:
        return f"{self.round} – {self.school}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    unknown = models.BooleanField(_("don't know"), default=False)
    text = models.TextField(_("open answer"), blank=True)

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_one_per_item"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="answer_score_1_5"
            ),
            models.CheckConstraint(
                condition=~Q(unknown=True, score__isnull=False), name="answer_score_or_unknown"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.key}: {'?' if self.unknown else self.score or self.text[:30]}"


class ResultsArchive(models.Model):
    """A gemeente's school year of results kept as figures after its answers were deleted (the retention
    policy evaluation_scores, evaluations/personal_data.py): the disclosure decision the figures were shown
    under, how many people sent their answers per school, wijk and gemeente, and per statement, school and
    role the totals the figures are made from (ArchivedTotal). Nothing in it is one person's: the totals
    are sums, and evaluations.results shows them under the same decision as before."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="+")
    school_year = models.PositiveSmallIntegerField(_("school year"))
    shown = models.JSONField(default=list, blank=True)  # the cells shown, each a list ("school", id) ...
    withheld = models.JSONField(default=list, blank=True)  # [cell, reason]
    people = models.JSONField(default=list, blank=True)  # [cell, number of people]
    respondents = models.JSONField(default=dict, blank=True)  # {"school:<id>": n, "wijk:<id>": n, "city": n}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("archived evaluation results")
        verbose_name_plural = _("archived evaluation results")
        constraints = [
            models.UniqueConstraint(fields=["gemeente", "school_year"], name="results_archive_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.gemeente_id} {self.school_year}"


class ArchivedTotal(models.Model):
    """One statement's scores at one school from one role in an archived year: how many, their sum, the
    sum of their squares, the lowest and the highest (evaluations.results._totals, as it was)."""

    archive = models.ForeignKey(ResultsArchive, on_delete=models.CASCADE, related_name="totals")
    item_key = models.SlugField(max_length=60)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # The school's wijk when the year was archived.
    wijk_id = models.PositiveIntegerField(null=True, blank=True)
    role = models.CharField(max_length=20)
    n = models.PositiveIntegerField()
    total = models.FloatField()
    squares = models.FloatField()
    low = models.PositiveSmallIntegerField()
    high = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.item_key} {self.school_id} {self.role}"


class ResponsesState(models.Model):
    """A stamp of the state of a gemeente's evaluation responses, for the results pages (PostgreSQL only).

    The database writes it itself: triggers (migration 0005) give the gemeente a new random stamp in the
    same transaction as every change that could change which responses count for it or how they are
    grouped (a response inserted, changed or deleted; a school moved to another wijk or gemeente; a
    round's dates or school year changed). Whatever makes the change (a form, a bulk update, raw SQL, a
    restore), the stamp changes with it. evaluations.results keeps the digest of the responses under the
    stamp, so that a page needs no scan of the responses while the stamp stays the same. A gemeente
    without a row (or SQLite, which has no triggers here) has its responses digested on every visit."""

    gemeente = models.OneToOneField(Gemeente, on_delete=models.CASCADE, primary_key=True, related_name="+")
    stamp = models.UUIDField()

    class Meta:
        verbose_name = _("state of the evaluation responses")
        verbose_name_plural = _("states of the evaluation responses")

    def __str__(self) -> str:
        return f"{self.gemeente_id} {self.stamp}"
