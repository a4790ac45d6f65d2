"""Issue a named REST API key for an org, for operators and provisioning scripts.

The key is printed once, alone on the last line of stdout, so a script can take it with
`tail -n 1`: `manage.py api_key acme --name "front reader" | tail -n 1`. Everything else
goes to stderr. The change is audited (actor: the system) and the owner is emailed.
"""

from django.core.management.base import CommandError, CommandParser
from django.views.decorators.debug import sensitive_variables

from access.services.api_keys import api_key_create
from accounts.actor import Actor
from accounts.selectors.orgs import org_get_by_slug
from kisiscim.commands import OneLineErrorCommand, command_errors


class Command(OneLineErrorCommand):
    help = "Issue a named REST API key for an organization, printed once on stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organization's slug")
        parser.add_argument("--name", required=True, help="What will use the key")

    @sensitive_variables("raw")
    def handle(self, *args: object, **options: object) -> None:
        slug = str(options["slug"])
        org = org_get_by_slug(slug=slug)
        if org is None:
            raise CommandError(f"No organization with slug {slug!r}.")
        with command_errors():
            key, raw = api_key_create(org=org, name=str(options["name"]), actor=Actor.system())
        self.stderr.write(
            f"API key {key.name!r} ({key.masked}) issued for {org.slug}; shown once, on stdout. "
            "Send it as 'Authorization: Bearer <key>'."
        )
        self.stdout.write(raw)
