"""Reads of notifications; every selector takes the org."""

from django.db.models import QuerySet

from accounts.models import Organization
from notifications.models import OrgAlert


def org_alert_list_open(*, org: Organization) -> QuerySet[OrgAlert]:
    return OrgAlert.objects.filter(org=org, dismissed_at__isnull=True).order_by("-created_at")
