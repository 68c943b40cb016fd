"""`manage.py purge [--dry-run] [--only KEY ...]`: apply the retention policies now (the nightly task does
the same), printing per kind what went, or with --dry-run what would go, changing nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kpa import personal_data, retention


class Command(BaseCommand):
    help = "Apply the retention policies: delete or anonymise personal data past its retention."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would go; change nothing.")
        parser.add_argument(
            "--only", nargs="+", default=[], metavar="KEY", help="Only these policies (keys as in the list)."
        )

    def handle(self, *args, dry_run: bool, only: list[str], **options):
        known = {r.key for r in personal_data.retentions()}
        unknown = sorted(set(only) - known)
        if unknown:
            raise CommandError(f"Unknown policy {', '.join(unknown)}; known: {', '.join(sorted(known))}.")
        outcomes = retention.purge(timezone.now(), dry_run=dry_run, keys=only)
        for outcome in outcomes:
            policy = outcome.retention
            parts = ", ".join(f"{number} {retention.label(key)}" for key, number in outcome.counts.items())
            context = {
                "key": policy.key,
                "days": policy.days,
                "before": timezone.localtime(outcome.cutoff).strftime("%Y-%m-%d %H:%M"),
                "parts": parts,
            }
            if not parts:
                line = _("%(key)s (%(days)s days, before %(before)s): nothing") % context
            elif dry_run:
                line = _("%(key)s (%(days)s days, before %(before)s): would go: %(parts)s") % context
            else:
                line = _("%(key)s (%(days)s days, before %(before)s): went: %(parts)s") % context
            self.stdout.write(line)
            for error in outcome.errors:
                self.stderr.write(_("%(key)s failed: %(error)s") % {"key": policy.key, "error": error})
        failed = [outcome.retention.key for outcome in outcomes if outcome.errors]
        if failed:
            raise CommandError(_("Not every policy was applied: %(keys)s.") % {"keys": ", ".join(failed)})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
