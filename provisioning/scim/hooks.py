"""Small django-scim2 settings hooks (see SCIM_SERVICE_PROVIDER in settings)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from accounts.models import Person


def person_model() -> type[Person]:
    """The SCIM User resource is one of an org's people, not a console account."""
    return Person


def base_location(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> str:
    """Locations use the host the IdP called, so one deployment serves any domain."""
    return request.build_absolute_uri("/") if request is not None else "/"


def org_filter_kwargs_getter(model: Any) -> Callable[..., dict[str, Any]]:
    """Scope every library lookup to the token's org."""

    def get_extra_filter_kwargs(request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"org": request.scim_org}

    return get_extra_filter_kwargs
