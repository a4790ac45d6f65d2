"""Cleanup findings; every selector but the beat's org walk takes the org."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet

from accounts.models import Group, Organization
from provisioning.models import CleanupFinding

ORG_BATCH_SIZE = 500


def org_ids_iter(*, batch_size: int = ORG_BATCH_SIZE) -> Iterator[int]:
    """Every org's id, read in primary-key batches (for jobs that visit all orgs)."""
    last = 0
    while True:
        ids = list(
            Organization.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        yield from ids
        last = ids[-1]


def cleanup_finding_list_all(*, org: Organization) -> QuerySet[CleanupFinding]:
    """All the org's findings, longest suspended first, with each person's groups."""
    return (
        CleanupFinding.objects.filter(org=org)
        .select_related("person")
        .prefetch_related(
            Prefetch("person__groups", queryset=Group.objects.order_by("display_name"))
        )
        .order_by("suspended_at", "pk")
    )


def cleanup_finding_list_open(*, org: Organization) -> QuerySet[CleanupFinding]:
    """The org's open findings, longest suspended first, with each person's groups."""
    return cleanup_finding_list_all(org=org).filter(status=CleanupFinding.Status.OPEN)


def cleanup_finding_list_for_ids(*, org: Organization, ids: list[int]) -> QuerySet[CleanupFinding]:
    """The org's open findings among `ids` (others' ids are silently not found)."""
    return cleanup_finding_list_open(org=org).filter(pk__in=ids)


def cleanup_finding_history(*, org: Organization) -> QuerySet[CleanupFinding]:
    """The org's decided findings (deleted, kept, resolved), latest decision first."""
    return (
        CleanupFinding.objects.filter(org=org, decided_at__isnull=False)
        .exclude(status=CleanupFinding.Status.OPEN)
        .order_by("-decided_at", "-pk")
    )


def cleanup_open_count(*, org: Organization) -> int:
    return CleanupFinding.objects.filter(org=org, status=CleanupFinding.Status.OPEN).count()
