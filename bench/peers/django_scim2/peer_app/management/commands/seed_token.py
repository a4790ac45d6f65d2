"""Store a bearer token the SCIM client may send (idempotent)."""

from django.core.management.base import BaseCommand

from peer_app.middleware import digest
from peer_app.models import Token


class Command(BaseCommand):
    help = "Seed a bearer token for the SCIM client (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("token")
        parser.add_argument("--name", default="bench")

    def handle(self, *args, token, name, **options):
        _, created = Token.objects.get_or_create(digest=digest(token), defaults={"name": name})
        self.stdout.write(f"token {'seeded' if created else 'already present'} ({name})")
