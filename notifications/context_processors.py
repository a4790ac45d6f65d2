"""Console banners: the org's open alerts, for its owner and admins, on every page."""

from typing import Any

from django.http import HttpRequest

from notifications.selectors import org_alert_list_open


def alerts(request: HttpRequest) -> dict[str, Any]:
    org = getattr(request, "org", None)
    if org is None or getattr(request, "membership", None) is None:
        return {}
    return {"org_alerts": list(org_alert_list_open(org=org))}
