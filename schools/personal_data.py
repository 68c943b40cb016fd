"""What the school register holds about people, and how long (kpa.personal_data; registered from
SchoolsConfig.ready). Schools, wijken and holidays name no one; a DUO import names who uploaded it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa import personal_data
from kpa.personal_data import Processing, Retention
from kpa.retention import delete_rows
from schools.models import DuoImport, DuoImportStatus

DUO_IMPORTS = "duo_imports"
# An upload nobody confirmed or cancelled is dropped after a day, whatever the policy says.
UNCONFIRMED_UPLOAD = dt.timedelta(days=1)


def purge_duo_imports(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    delete_rows(DuoImport.objects.filter(created_at__lt=cutoff), dry_run, counts)
    abandoned = DuoImport.objects.filter(
        status=DuoImportStatus.UPLOADED, created_at__lt=timezone.now() - UNCONFIRMED_UPLOAD
    )
    delete_rows(abandoned, dry_run, counts)
    return counts


def register() -> None:
    personal_data.register_retention(
        Retention(
            key=DUO_IMPORTS,
            label=_("Imports of the DUO school register (who uploaded which file)"),
            setting="KPA_KEEP_DUO_IMPORTS_DAYS",
            default_days=365,
            rule=_(
                "An import uploaded this many days ago is deleted; an upload nobody confirmed goes after "
                "one day."
            ),
            why=_("A year: long enough to answer how a school got into the register, or out of its wijk."),
            purge=purge_duo_imports,
            order=60,
        ),
    )
    personal_data.register(
        Processing(
            model="schools.DuoImport",
            group=_("School register"),
            fields=("created_by",),
            people=("created_by",),
            purpose=_("Which administrator imported which DUO file, and what the import changed."),
            legal_basis=_("Public task (AVG art. 6(1)(e))."),
            visible_to=_("The administrators."),
            retention=DUO_IMPORTS,
            anonymisation=_("Kept; the administrator becomes the pseudonym."),
        ),
    )
