"""Who may open which console page. The org always comes from the URL and is checked against
the signed-in account's memberships, so no URL can reach another org's data."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Membership
from accounts.selectors.orgs import membership_get
from accounts.services.orgs import membership_used

View = Callable[..., HttpResponse]


def org_role_required(*roles: str) -> Callable[[View], View]:
    """Require a signed-in account with one of `roles` (any role if none) in the URL's org.

    Anonymous visitors go to the login page; accounts without the role get 403. The view
    receives `request.membership` and `request.org`. The visit counts as a use of the org
    (sign-in lands on the org used last).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_get(account=request.user, org_slug=org_slug)
            if membership is None or (roles and membership.role not in roles):
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            request.org = membership.org  # type: ignore[attr-defined]
            membership_used(membership=membership)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


member_required = org_role_required()
owner_required = org_role_required(Membership.Role.OWNER)
owner_or_admin_required = org_role_required(Membership.Role.OWNER, Membership.Role.ADMIN)
