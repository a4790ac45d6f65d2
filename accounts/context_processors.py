"""What every console page needs: the current org and role, and the org switcher."""

from typing import Any

from django.http import HttpRequest

from accounts.models import Membership
from accounts.selectors.orgs import membership_list_for_account


def console(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {"membership": membership, "org": getattr(request, "org", None)}
    if membership is not None:
        context["is_owner"] = membership.role == Membership.Role.OWNER
        context["org_switcher"] = list(membership_list_for_account(account=request.user))
    return context
