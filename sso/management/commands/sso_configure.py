from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from accounts.actor import Actor
from accounts.selectors.orgs import org_get_by_slug
from kisiscim.commands import OneLineErrorCommand, command_errors
from sso.services import (
    sso_configure,
    sso_demo_settings,
    sso_metadata_parse,
    sso_settings_validate,
)


class Command(OneLineErrorCommand):
    help = "Set up and enable an org's SAML SSO from metadata, explicit settings, or the demo IdP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--metadata", metavar="FILE", help="IdP metadata XML file")
        source.add_argument("--entity-id", help="IdP entity ID (with --sso-url and --cert-file)")
        source.add_argument("--demo", action="store_true", help="Use the bundled demo IdP")
        parser.add_argument("--sso-url")
        parser.add_argument("--cert-file", metavar="PEM")

    def handle(self, *args: object, **options: object) -> None:
        if not options["entity_id"] and (options["sso_url"] or options["cert_file"]):
            raise CommandError("--sso-url and --cert-file go with --entity-id only.")
        org = org_get_by_slug(slug=str(options["slug"]))
        if org is None:
            raise CommandError(f"No organization with slug {options['slug']!r}.")
        with command_errors():
            if options["demo"]:
                idp = sso_demo_settings()
            elif options["metadata"]:
                idp = sso_metadata_parse(_read(Path(str(options["metadata"]))))
            else:
                if not options["sso_url"] or not options["cert_file"]:
                    raise CommandError("--entity-id needs --sso-url and --cert-file.")
                cert = _read(Path(str(options["cert_file"]))).decode(errors="replace")
                idp = sso_settings_validate(
                    entity_id=str(options["entity_id"]),
                    sso_url=str(options["sso_url"]),
                    certificate=cert,
                )
            sso_configure(org=org, settings=idp, actor=Actor.system(), enable=True)
        self.stdout.write(f"SSO enabled for {org.slug}: {idp.entity_id} ({idp.sso_url}).")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
