"""Reads of notifications; every selector takes the org."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Organization
from accounts.selectors.people import person_suspended_since_count
from notifications.models import OrgAlert


def org_alert_list_open(*, org: Organization) -> QuerySet[OrgAlert]:
    return OrgAlert.objects.filter(org=org, dismissed_at__isnull=True).order_by("-created_at")


@dataclass(frozen=True)
class MassDeactivationNow:
    """The people a mass-deactivation alert concerns, as they are now: those suspended since
    its window began and still suspended."""

    since: dt.datetime
    count: int


def mass_deactivation_now(*, org: Organization, alert: OrgAlert) -> MassDeactivationNow:
    since = alert.created_at - dt.timedelta(minutes=settings.MASS_DEACTIVATION_WINDOW_MINUTES)
    return MassDeactivationNow(
        since=since, count=person_suspended_since_count(org=org, since=since)
    )
