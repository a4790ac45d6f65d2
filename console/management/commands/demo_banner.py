"""`make run`'s banner, printed once the server answers: where it runs and how to sign in."""

from django.core.management.base import CommandParser

from accounts.selectors.orgs import org_get_by_slug
from console.management.commands.seed_demo import DEMO_ADMIN, DEMO_OWNER, DEMO_PASSWORD, DEMO_SLUG
from kisiscim.commands import OneLineErrorCommand

RULE = "═" * 76


class Command(OneLineErrorCommand):
    help = "Print the banner of `make run`: the URL and the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help="The server's URL, with a final /.")
        parser.add_argument("--broker", default="", help="How Celery's broker runs.")

    def handle(self, *args: object, **options: str) -> None:
        url = options["url"].rstrip("/") + "/"
        rows = [("KisiSCIM is running at", url)]
        if org_get_by_slug(slug=DEMO_SLUG) is not None:
            rows += [
                ("Demo owner", f"{DEMO_OWNER}  /  {DEMO_PASSWORD}"),
                ("Demo admin", f"{DEMO_ADMIN}  (Sign in with SSO: the demo IdP)"),
            ]
        rows.append(("SCIM base URL", f"{url}scim/v2/"))
        if options["broker"]:
            rows.append(("Celery broker", options["broker"]))
        width = max(len(label) for label, _ in rows)
        lines = ["", RULE]
        lines += [f"  {label.ljust(width)}  {value}" for label, value in rows]
        lines += [
            "  Emails are printed here as NOTICE boxes. Press Ctrl-C to stop.",
            RULE,
            "",
        ]
        self.stdout.write("\n".join(lines))
