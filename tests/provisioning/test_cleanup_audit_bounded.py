"""An audit run's memory does not grow with the number it flags: it counts every finding but
keeps only the first FLAGGED_KEPT of them."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Person
from provisioning.models import CleanupFinding
from provisioning.services.cleanup import FLAGGED_KEPT, cleanup_audit_run

pytestmark = pytest.mark.django_db


def test_counts_every_finding_and_keeps_a_bounded_sample(org):
    long_ago = timezone.now() - dt.timedelta(days=90)
    n = FLAGGED_KEPT + 15
    Person.objects.bulk_create(
        [
            Person(
                org=org, user_name=f"gone{i}@example.com", is_active=False, suspended_at=long_ago
            )
            for i in range(n)
        ]
    )
    result = cleanup_audit_run(org=org, batch_size=50)
    assert result.flagged_count == n
    assert len(result.flagged) == FLAGGED_KEPT
    assert CleanupFinding.objects.filter(org=org).count() == n
