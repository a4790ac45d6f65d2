import getpass
import sys

from django.core.management.base import CommandError, CommandParser

from accounts.actor import Actor
from accounts.selectors.orgs import account_get_by_email
from accounts.services.orgs import org_create, org_slug_validate
from kisiscim.commands import OneLineErrorCommand, command_errors


class Command(OneLineErrorCommand):
    help = "Create an organization and its owner account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="URL-safe identifier, e.g. acme")
        parser.add_argument("--name", required=True, help="Display name")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument(
            "--owner-password",
            help="Password for a new owner account (prompted for when omitted on a terminal)",
        )

    def handle(self, *args: object, **options: str) -> None:
        with command_errors():
            # Refuse a bad slug before asking for a password that would be thrown away.
            org_slug_validate(options["slug"])
        password = options["owner_password"]
        if (
            password is None
            and sys.stdin.isatty()
            and account_get_by_email(email=options["owner_email"]) is None
        ):
            password = _prompt_password()
        with command_errors():
            org, owner = org_create(
                slug=options["slug"],
                name=options["name"],
                owner_email=options["owner_email"],
                owner_password=password,
                actor=Actor.system(),
            )
        self.stdout.write(f"Created organization {org.slug} ({org.name}) owned by {owner.email}.")


def _prompt_password() -> str:
    try:
        password = getpass.getpass("Owner password: ")
        again = getpass.getpass("Owner password (again): ")
    except (EOFError, KeyboardInterrupt) as exc:
        raise CommandError("Cancelled: no owner password given.") from exc
    if password != again:
        raise CommandError("The passwords do not match.")
    return password
