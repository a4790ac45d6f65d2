"""Run the cleanup audit now, for every org or one (`--org SLUG`), and print what it flagged.

The same job as the daily beat task; the owner's digest email is queued as it would be.
"""

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import ngettext

from accounts.selectors.orgs import org_get_by_slug
from kisiscim.commands import OneLineErrorCommand
from provisioning.services.cleanup import (
    CleanupAuditResult,
    cleanup_audit_run,
    cleanup_audit_run_all,
)


class Command(OneLineErrorCommand):
    help = "Flag people suspended for longer than their org's cleanup threshold, now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="SLUG", help="Audit only this organization.")

    def handle(self, *args: object, **options: object) -> None:
        slug = options.get("org")
        if slug:
            org = org_get_by_slug(slug=str(slug))
            if org is None:
                raise CommandError(f"No organization with slug {slug!r}.")
            results = [cleanup_audit_run(org=org)]
        else:
            results = cleanup_audit_run_all()
        total = 0
        for result in results:
            total += self._report(result)
        people = ngettext("%(n)d person", "%(n)d people", total) % {"n": total}
        orgs = ngettext("%(n)d organization", "%(n)d organizations", len(results)) % {
            "n": len(results)
        }
        self.stdout.write(f"Flagged {people} in {orgs}.")

    def _report(self, result: CleanupAuditResult) -> int:
        if result.flagged or result.resolved:
            self.stdout.write(
                f"{result.org_slug}: {result.flagged_count} flagged, {result.resolved} resolved"
            )
        for finding in result.flagged:
            self.stdout.write(
                f"  {finding.user_name}  suspended since {finding.suspended_at:%Y-%m-%d} "
                f"({finding.days_suspended} days)"
            )
        if result.flagged_count > len(result.flagged):
            self.stdout.write(
                f"  … and {result.flagged_count - len(result.flagged)} more "
                "(see the Cleanup audit page)"
            )
        return result.flagged_count
