from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionLine(models.Model):
    """One of the five city-wide action lines (seed 000); the programme and its activities build on it.

    Moved from meetings with its table and rows kept (meetings 0006, programme 0001)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        db_table = "meetings_actionline"
        verbose_name = _("action line")
        verbose_name_plural = _("action lines")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"
