"""Console banners: the org's open alerts, for its owner and admins, on every page."""

from typing import Any

from django.http import HttpRequest

from notifications.models import OrgAlert
from notifications.selectors import mass_deactivation_now, org_alert_list_open


def alerts(request: HttpRequest) -> dict[str, Any]:
    """`org_alerts`, each mass-deactivation alert with `.now`: how many of the people it
    concerns are suspended at this moment (a reactivation lowers it), for the banner."""
    org = getattr(request, "org", None)
    if org is None or getattr(request, "membership", None) is None:
        return {}
    open_alerts = list(org_alert_list_open(org=org))
    for alert in open_alerts:
        if alert.kind == OrgAlert.Kind.MASS_DEACTIVATION:
            alert.now = mass_deactivation_now(org=org, alert=alert)
    return {"org_alerts": open_alerts}
