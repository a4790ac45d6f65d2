"""POST …/.search (RFC 7644 §3.4.3): the list views' query, read from a body."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from provisioning.scim.constants import SEARCH_REQUEST
from provisioning.scim.errors import InvalidFilter, InvalidValue
from provisioning.scim.patch import get_ci
from provisioning.scim.views.base import ScimBaseView, list_response, paging
from provisioning.scim.views.resources import GroupsView, ResourceView, UsersView


class SearchView(ScimBaseView):
    """POST /Users/.search and /Groups/.search (RFC 7644 §3.4.3)."""

    resource_view: type[ResourceView]
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        body = self.load_body(request.body)
        if SEARCH_REQUEST not in (get_ci(body, "schemas") or []):
            raise InvalidValue(f"A search request needs schemas [{SEARCH_REQUEST!r}].")
        view = self.resource_view()
        view.setup(request)
        view.request = request
        response = view.list(
            get_ci(body, "filter"),
            get_ci(body, "startIndex"),
            get_ci(body, "count"),
            view.projection(body),
        )
        response.status_code = 200
        return response


class UserSearchView(SearchView):
    resource_view = UsersView


class GroupSearchView(SearchView):
    resource_view = GroupsView


class RootSearchView(ScimBaseView):
    """POST /.search: Users then Groups, paged as one list (RFC 7644 §3.4.3). A filter on an
    attribute one type lacks matches nothing of that type."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        body = self.load_body(request.body)
        if SEARCH_REQUEST not in (get_ci(body, "schemas") or []):
            raise InvalidValue(f"A search request needs schemas [{SEARCH_REQUEST!r}].")
        start, count = paging(get_ci(body, "startIndex"), get_ci(body, "count"))
        filter_text = get_ci(body, "filter")
        projection = self.projection(body)
        parts: list[tuple[ResourceView, QuerySet]] = []
        invalid: InvalidFilter | None = None
        for view_class in (UsersView, GroupsView):
            view = view_class()
            view.setup(request)
            view.request = request
            try:
                qs = view.filtered(filter_text, projection)
            except InvalidFilter as exc:
                invalid = exc
                continue
            parts.append((view, qs))
        if not parts and invalid is not None:
            raise invalid
        resources: list[dict[str, Any]] = []
        total = 0
        offset = start - 1
        for view, qs in parts:
            n = qs.count()
            wanted = count - len(resources)
            if wanted > 0 and offset < n:
                page = list(qs.order_by("pk")[offset : offset + wanted])
                resources += [projection.apply(doc) for doc in view.docs(page, projection)]
            offset = max(0, offset - n)
            total += n
        return list_response(resources, total, start)
