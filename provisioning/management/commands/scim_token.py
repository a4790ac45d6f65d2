"""Issue (or revoke) an org's SCIM token from the command line, for operators.

The new token is the only thing written to stdout, so it can be piped straight into a
secret store: `manage.py scim_token acme | vault kv put secret/okta token=-`. Everything
else goes to stderr. The change is audited (actor: the system) and the owner is emailed.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accounts.actor import Actor
from accounts.selectors.orgs import org_get_by_slug
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_generate, scim_token_revoke


class Command(BaseCommand):
    help = (
        "Enable SCIM for an org and issue a new token (revoking the previous one), printed "
        "once on stdout. With --revoke, only revoke the live token."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organization's slug")
        parser.add_argument(
            "--revoke", action="store_true", help="Revoke the live token without issuing one"
        )

    @sensitive_variables("raw")
    def handle(self, *args: object, **options: object) -> None:
        slug = str(options["slug"])
        org = org_get_by_slug(slug=slug)
        if org is None:
            raise CommandError(f"No organization with slug {slug!r}.")
        if options["revoke"]:
            revoked = scim_token_revoke(org=org, actor=Actor.system())
            if revoked is None:
                self.stderr.write(f"{org.slug} has no live SCIM token; nothing was revoked.")
            else:
                self.stderr.write(f"Revoked {revoked.masked} for {org.slug}.")
            return
        try:
            with transaction.atomic():
                scim_enable(org=org, actor=Actor.system())
                token, raw = scim_token_generate(org=org, actor=Actor.system())
        except ValidationError as exc:
            hint = (
                f" Set it up first, e.g. `manage.py sso_configure {org.slug} --metadata FILE`."
                if exc.code == "sso_required"
                else ""
            )
            raise CommandError(
                f"No SCIM token issued for {org.slug}: {' '.join(exc.messages)}{hint}"
            ) from exc
        self.stderr.write(
            f"SCIM is enabled for {org.slug}; any previous token is revoked. "
            f"New token {token.masked} (shown once) on stdout; paste it into Okta."
        )
        self.stdout.write(raw)
