"""Writes of the programme: each service validates (full_clean) and saves in one transaction."""

from __future__ import annotations

from django.db import transaction

from programme import seed
from programme.models import ActionLine, Programme, Speerpunt
from schools.models import Gemeente


@transaction.atomic
def utrecht_programme_ensure() -> Programme | None:
    """Utrecht's PO programme with the five lines of seed 000, made if need be (the data migration made
    it already if gemeente 0344 existed then); None while there is no gemeente 0344."""
    return seed.install(
        gemeente_model=Gemeente, programme_model=Programme, line_model=ActionLine, speerpunt_model=Speerpunt
    )
