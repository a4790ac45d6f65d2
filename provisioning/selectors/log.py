"""The provisioning log, as the owner's pages show it."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization
from provisioning.models import ProvisioningLogEntry


def provisioning_log_list(
    *, org: Organization, errors_only: bool = False
) -> QuerySet[ProvisioningLogEntry]:
    """The org's SCIM requests, newest first (optionally only the failed ones)."""
    qs = ProvisioningLogEntry.objects.filter(org=org).select_related("token")
    if errors_only:
        qs = qs.filter(status__gte=400)
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class ConnectionStats:
    last: ProvisioningLogEntry | None
    requests_24h: int
    errors_24h: int


def provisioning_connection_stats(*, org: Organization) -> ConnectionStats:
    """The last SCIM request and the last 24 hours' request and error counts (two queries)."""
    since = timezone.now() - dt.timedelta(hours=24)
    counts = ProvisioningLogEntry.objects.filter(org=org, created_at__gte=since).aggregate(
        requests=Count("pk"), errors=Count("pk", filter=Q(status__gte=400))
    )
    return ConnectionStats(
        last=provisioning_log_list(org=org).first(),
        requests_24h=counts["requests"],
        errors_24h=counts["errors"],
    )


@dataclass(frozen=True)
class RejectedTokenStats:
    last: ProvisioningLogEntry | None
    count_24h: int


def provisioning_rejected_token_stats(*, org: Organization) -> RejectedTokenStats:
    """Requests of the last 24 hours that presented one of the org's revoked or expired
    tokens (the only refused requests the log links to a token), and the latest of them."""
    since = timezone.now() - dt.timedelta(hours=24)
    rejected = ProvisioningLogEntry.objects.filter(
        org=org, status=401, token__isnull=False, created_at__gte=since
    )
    return RejectedTokenStats(
        last=rejected.select_related("token").order_by("-created_at", "-id").first(),
        count_24h=rejected.count(),
    )
