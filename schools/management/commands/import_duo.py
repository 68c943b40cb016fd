"""python manage.py import_duo FILE [--gemeente NAME] [--dry-run] [--sector PO|SBO|SO|VO|VSO]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schools.duo import SECTORS, DuoFormatError
from schools.importer import duo_import


class Command(BaseCommand):
    help = (
        "Import DUO's open-data CSV file of school locations: new locations are added, changed ones "
        "updated (by BRIN + vestiging). Ends with one line: created N, updated N, unchanged N, rejected N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file as DUO publishes it.")
        parser.add_argument("--gemeente", help="Import only this municipality (name or CBS code).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--sector", choices=SECTORS, help="Sector for a file (or rows) that does not say it itself."
        )

    def handle(self, *args, file: Path, gemeente: str | None, dry_run: bool, sector: str | None, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from error
        try:
            report = duo_import(data=data, gemeente=gemeente, default_sector=sector, dry_run=dry_run)
        except DuoFormatError as error:
            raise CommandError(str(error)) from error
        for row_error in report.errors:
            self.stdout.write(f"line {row_error.line}: {row_error.reason}")
        if report.unplaced:
            self.stdout.write(
                f"{len(report.unplaced)} school(s) without wijk: map their postcode areas to wijken, "
                "then place them (Postcode areas / Schools without wijk)."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(report.summary_line())
