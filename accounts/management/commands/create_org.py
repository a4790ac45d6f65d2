import getpass
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.commands._errors import command_errors
from accounts.services.orgs import org_create


class Command(BaseCommand):
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
        password = options["owner_password"]
        if password is None and sys.stdin.isatty():
            password = getpass.getpass("Owner password: ")
            if password != getpass.getpass("Owner password (again): "):
                raise CommandError("The passwords do not match.")
        with command_errors():
            org, owner = org_create(
                slug=options["slug"],
                name=options["name"],
                owner_email=options["owner_email"],
                owner_password=password,
            )
        self.stdout.write(f"Created organization {org.slug} ({org.name}) owned by {owner.email}.")
