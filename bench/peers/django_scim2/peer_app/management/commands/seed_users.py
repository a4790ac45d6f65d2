"""Bulk-insert N users (and optionally groups) straight through the ORM, for data sets too
large to POST: the rows look like those django-scim2's POST /Users writes (scim_id equal to
the primary key, scim_username = username, unusable password)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast

from peer_app.models import User


class Command(BaseCommand):
    help = "Bulk-create N users named seed.personI@bigcorp.example (idempotent by prefix)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--prefix", default="seed.person")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, count, prefix, batch, **options):
        have = User.objects.filter(username__startswith=prefix).count()
        todo = [
            User(
                username=f"{prefix}{i}@bigcorp.example",
                scim_username=f"{prefix}{i}@bigcorp.example",
                first_name="Seed",
                last_name=f"Person{i}",
                email=f"{prefix}{i}@bigcorp.example",
                scim_external_id=f"00useed{i:08d}",
                password="!",
                is_active=True,
            )
            for i in range(have, count)
        ]
        with transaction.atomic():
            User.objects.bulk_create(todo, batch_size=batch)
            User.objects.filter(scim_id__isnull=True).update(scim_id=Cast("id", CharField()))
        self.stdout.write(f"{len(todo)} users added ({User.objects.count()} in all)")
