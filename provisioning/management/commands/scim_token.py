"""Issue, add, revoke or list an org's SCIM tokens from the command line, for operators.

A new token is the only thing written to stdout, so it can be piped straight into a secret
store: `manage.py scim_token acme | vault kv put secret/okta token=-`. Everything else goes to
stderr (`--list` prints its table on stdout: it never shows a token). Changes are audited
(actor: the system) and the owner is emailed.

    scim_token SLUG                              enable SCIM, revoke every token, issue one
    scim_token SLUG --add --name NAME [--expires-days N | --no-expiry]
                                                 issue one more, keep the other (at most two)
    scim_token SLUG --revoke NAME                revoke the live token with that name
    scim_token SLUG --revoke                     revoke every live token
    scim_token SLUG --list                       name, last four, created, last used, expires
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.actor import Actor
from accounts.selectors.orgs import org_get_by_slug
from kisiscim.commands import OneLineErrorCommand
from provisioning.selectors.scim_config import scim_token_list_live
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import (
    DEFAULT_EXPIRY_DAYS,
    DEFAULT_NAME,
    scim_token_add,
    scim_token_generate,
    scim_token_revoke,
    scim_tokens_revoke_all,
)

ALL = object()


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "never"


class Command(OneLineErrorCommand):
    help = (
        "Enable SCIM for an org and issue a new token (revoking the others), printed once on "
        "stdout; or --add a second one, --revoke [NAME], or --list them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organization's slug")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--add", action="store_true", help="Issue one more token and keep the live one"
        )
        action.add_argument(
            "--revoke",
            nargs="?",
            const=ALL,
            metavar="NAME",
            help="Revoke the live token with this name (every live token without a name)",
        )
        action.add_argument("--list", action="store_true", help="List the live tokens")
        parser.add_argument("--name", help=f"The new token's name (default {DEFAULT_NAME!r})")
        expiry = parser.add_mutually_exclusive_group()
        expiry.add_argument(
            "--expires-days",
            type=int,
            metavar="N",
            help=f"Days until the new token expires (default {DEFAULT_EXPIRY_DAYS})",
        )
        expiry.add_argument("--no-expiry", action="store_true", help="The new token never expires")

    @sensitive_variables("raw")
    def handle(self, *args: object, **options: object) -> None:
        slug = str(options["slug"])
        org = org_get_by_slug(slug=slug)
        if org is None:
            raise CommandError(f"No organization with slug {slug!r}.")
        if options["list"]:
            return self._list(org)
        if options["revoke"] is not None:
            return self._revoke(org, options["revoke"])
        if options["add"] and not options["name"]:
            raise CommandError("--add needs --name NAME.")
        expires = None if options["no_expiry"] else (options["expires_days"] or DEFAULT_EXPIRY_DAYS)
        name = str(options["name"] or DEFAULT_NAME)
        actor = Actor.system()
        try:
            with transaction.atomic():
                if options["add"]:
                    token, raw = scim_token_add(
                        org=org, actor=actor, name=name, expires_in_days=expires
                    )
                else:
                    scim_enable(org=org, actor=actor)
                    token, raw = scim_token_generate(
                        org=org, actor=actor, name=name, expires_in_days=expires
                    )
        except ValidationError as exc:
            hint = (
                f" Set it up first, e.g. `manage.py sso_configure {org.slug} --metadata FILE`."
                if exc.code == "sso_required"
                else ""
            )
            raise CommandError(
                f"No SCIM token issued for {org.slug}: {' '.join(exc.messages)}{hint}"
            ) from exc
        expiry = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"
        kept = (
            "the other live token keeps working"
            if options["add"]
            else "any previous token is revoked"
        )
        self.stderr.write(
            f"SCIM is enabled for {org.slug}; {kept}. New token {token.name} {token.masked} "
            f"({expiry}, shown once) on stdout; paste it into Okta."
        )
        self.stdout.write(raw)
        return None

    def _revoke(self, org, name: object) -> None:
        actor = Actor.system()
        if name is ALL:
            revoked = scim_tokens_revoke_all(org=org, actor=actor)
            if not revoked:
                self.stderr.write(f"{org.slug} has no live SCIM token; nothing was revoked.")
            for token in revoked:
                self.stderr.write(f"Revoked {token.name} {token.masked} for {org.slug}.")
            return
        matches = [t for t in scim_token_list_live(org=org) if t.name.lower() == str(name).lower()]
        if not matches:
            live = ", ".join(t.name for t in scim_token_list_live(org=org)) or "none"
            raise CommandError(f"{org.slug} has no live SCIM token named {name!r} (live: {live}).")
        token = scim_token_revoke(org=org, token_id=matches[0].pk, actor=actor)
        self.stderr.write(f"Revoked {token.name} {token.masked} for {org.slug}.")

    def _list(self, org) -> None:
        tokens = scim_token_list_live(org=org)
        if not tokens:
            self.stderr.write(f"{org.slug} has no live SCIM token.")
            return
        now = timezone.now()
        self.stdout.write("name\tlast4\tcreated\tlast used\texpires")
        for t in tokens:
            expires = _when(t.expires_at) + (" (expired)" if t.is_expired(now) else "")
            self.stdout.write(
                f"{t.name}\t{t.last4}\t{_when(t.created_at)}\t{_when(t.last_used_at)}\t{expires}"
            )
