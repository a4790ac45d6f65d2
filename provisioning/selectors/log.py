"""The provisioning log, as the owner's pages show it."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Organization
from provisioning.models import ProvisioningLogEntry

RESOURCES = ("users", "groups", "other")
_SCIM_ID = re.compile(r"[0-9a-f]{32}")  # accounts' SCIM ids: uuid4 hex


def _rejected() -> Q:
    """A request that presented one of the org's revoked or expired tokens: the only 401 the
    log links to a token (provisioning.scim.auth records no token for an unknown one)."""
    return Q(status=401, token__isnull=False)


def provisioning_log_list(
    *,
    org: Organization,
    outcome: str = "",
    resource: str = "",
    target: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[ProvisioningLogEntry]:
    """The org's SCIM requests, newest first, optionally only those with this outcome ("ok",
    "error": refused or failed, "rejected": a revoked or expired token), on this resource
    ("users", "groups", "other"), about this person or group (its SCIM id, or a part of its
    name as it was then), between these days (UTC, both included)."""
    qs = ProvisioningLogEntry.objects.filter(org=org).select_related("token")
    if outcome == "ok":
        qs = qs.filter(status__lt=400)
    elif outcome == "error":
        qs = qs.filter(status__gte=400).exclude(_rejected())
    elif outcome == "rejected":
        qs = qs.filter(_rejected())
    if resource in RESOURCES:
        qs = qs.filter(resource_type=resource)
    target = target.strip()
    if target:
        # A SCIM id is looked up exactly (the org's resource index), anything else by name:
        # an OR of the two would scan the org's rows for the name either way.
        if _SCIM_ID.fullmatch(target):
            qs = qs.filter(resource_id=target)
        else:
            qs = qs.filter(target_label__icontains=target)
    if date_from is not None:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to is not None:
        qs = qs.filter(created_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


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
    rejected = ProvisioningLogEntry.objects.filter(_rejected(), org=org, created_at__gte=since)
    return RejectedTokenStats(
        last=rejected.select_related("token").order_by("-created_at", "-id").first(),
        count_24h=rejected.count(),
    )


@dataclass(frozen=True)
class ProvisioningDay:
    day: dt.date
    requests: int
    errors: int
    created: int
    updated: int
    suspended: int
    reactivated: int


CHANGE_ACTIONS = {
    "created": (ProvisioningLogEntry.Action.CREATED,),
    "updated": (
        ProvisioningLogEntry.Action.UPDATED,
        ProvisioningLogEntry.Action.RENAMED,
        ProvisioningLogEntry.Action.MEMBERS,
    ),
    "suspended": (ProvisioningLogEntry.Action.SUSPENDED, ProvisioningLogEntry.Action.DELETED),
    "reactivated": (ProvisioningLogEntry.Action.REACTIVATED,),
}


def provisioning_daily(
    *, org: Organization, days: int = 30, today: dt.date | None = None
) -> list[ProvisioningDay]:
    """Per UTC day, the last `days` days up to today: requests, errors and the changes SCIM
    made (created; updated, renamed or members changed; suspended or deleted; reactivated).
    One aggregate query grouped by day, whatever the number of rows; days without requests
    are zeros."""
    today = today or timezone.now().astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    rows = (
        ProvisioningLogEntry.objects.filter(org=org, created_at__gte=_day_start(first))
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(
            requests=Count("pk"),
            errors=Count("pk", filter=Q(status__gte=400)),
            **{
                name: Count("pk", filter=Q(status__lt=400, action__in=actions))
                for name, actions in CHANGE_ACTIONS.items()
            },
        )
        .order_by("day")
    )
    by_day = {row.pop("day"): row for row in rows}
    zero = {"requests": 0, "errors": 0, **dict.fromkeys(CHANGE_ACTIONS, 0)}
    return [
        ProvisioningDay(day=d, **by_day.get(d, zero))
        for d in (first + dt.timedelta(days=i) for i in range(days))
    ]
