"""Pruning old provisioning log entries."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from provisioning.models import ProvisioningLogEntry

PRUNE_BATCH_SIZE = 5000


def provisioning_log_prune(
    *,
    retention_days: int | None = None,
    now: dt.datetime | None = None,
    batch_size: int = PRUNE_BATCH_SIZE,
) -> int:
    """Delete provisioning log entries older than the retention (PROVISIONING_LOG_RETENTION_DAYS
    by default), in batches, so no single statement locks or holds a large table. Idempotent.
    Returns how many were deleted."""
    days = settings.PROVISIONING_LOG_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    old = ProvisioningLogEntry.objects.filter(created_at__lt=cutoff)
    deleted = 0
    while True:
        pks = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        count, _ = ProvisioningLogEntry.objects.filter(pk__in=pks).delete()
        deleted += count
