"""python manage.py import_holidays FILE | --url [URL] [--dry-run]"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schools.holidays import HolidayFormatError, school_holidays_import

# Every school year the government has published, as JSON; /schoolyear/2025-2026 before ?output= for one.
DEFAULT_URL = (
    "https://opendata.rijksoverheid.nl/v1/sources/rijksoverheid/infotypes/schoolholidays?output=json"
)
TIMEOUT = 20  # seconds
MAX_SIZE = 2 * 1024 * 1024  # bytes; the file of all school years is far smaller


class Command(BaseCommand):
    help = (
        "Import the school holidays of the three regions from the Rijksoverheid open-data file (JSON), "
        "from a file or fetched with --url. A holiday is known by region, name and school year: importing "
        "again changes nothing, a corrected file updates the dates. Ends with one line: created N, "
        "updated N, unchanged N, rejected N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, nargs="?", help="The JSON file as the Rijksoverheid publishes it."
        )
        parser.add_argument(
            "--url",
            nargs="?",
            const=DEFAULT_URL,
            help=f"Fetch the file from this https address instead (without a value: {DEFAULT_URL}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, file: Path | None, url: str | None, dry_run: bool, **options):
        if file is not None and url is not None:
            raise CommandError("Give either a FILE or --url, not both.")
        if url is not None:
            data = self._fetch(url)
        elif file is not None:
            data = self._read(file)
        else:
            raise CommandError("Give a FILE or --url.")
        try:
            report = school_holidays_import(data=data, dry_run=dry_run)
        except HolidayFormatError as error:
            raise CommandError(str(error)) from error
        for row_error in report.errors:
            self.stdout.write(f"{row_error.where}: {row_error.reason}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(report.summary_line())

    def _read(self, file: Path) -> bytes:
        try:
            if file.stat().st_size > MAX_SIZE:
                raise CommandError(f"{file} is larger than {MAX_SIZE} bytes: this is not the holiday file.")
            return file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from error

    def _fetch(self, url: str) -> bytes:
        if not url.startswith("https://"):
            raise CommandError(f"Give an https address, not {url}.")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 -- https only
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 -- https only
                data = response.read(MAX_SIZE + 1)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise CommandError(f"Cannot fetch {url}: {reason}") from error
        if len(data) > MAX_SIZE:
            raise CommandError(f"{url} sent more than {MAX_SIZE} bytes: this is not the holiday file.")
        return data
