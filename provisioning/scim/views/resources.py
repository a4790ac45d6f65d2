"""/Users and /Groups: django-scim2's SCIMView (csrf-exempt, AUTH_CHECK_MIDDLEWARE) with paging,
org scoping and SCIM error bodies everywhere.

Every request costs a constant number of queries: lists run one COUNT and one page query
on a stable primary-key order (keyset or LIMIT/OFFSET, see `ResourceView.page`) and prefetch
only that page's emails, groups or members; writes go through the services in one
transaction.
"""

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.models import Group, GroupMembership, Person, PersonEmail, scim_id_is_possible
from provisioning.scim.adapters import SCIMGroupAdapter, SCIMPerson
from provisioning.scim.errors import InvalidValue, NotFound, scim_json_response
from provisioning.scim.filters import GroupFilterQuery, PersonFilterQuery
from provisioning.scim.patch import operations_parse
from provisioning.scim.views.base import Projection, ScimBaseView, list_response, paging

PAGE_HINT_SECONDS = 600
Page = list[Any]  # (`list` is also a view method, so class bodies cannot name the builtin)


class ResourceView(ScimBaseView):
    """Shared list/get/create/replace/patch/delete logic for Users and Groups."""

    adapter_class: type
    filter_parser: type
    model: type
    lookup_url_kwarg = "uuid"
    kind = ""

    def allowed_methods(self) -> list[str]:
        """A collection takes GET and POST; one resource GET, PUT, PATCH and DELETE."""
        if self.kwargs.get(self.lookup_url_kwarg):
            return ["GET", "PUT", "PATCH", "DELETE"]
        return ["GET", "POST"]

    def base_queryset(self) -> QuerySet:
        return self.model.objects.filter(org=self.request.scim_org)

    def with_related(self, qs: QuerySet, projection: Projection) -> QuerySet:
        return qs

    def get_object(self, projection: Projection | None = None) -> Any:
        """The resource named in the URL, in the token's org (404 otherwise). Related rows
        are prefetched only for a read (`projection`): a write never loads a group's members.
        """
        scim_id = self.kwargs.get(self.lookup_url_kwarg)
        if not scim_id_is_possible(scim_id):
            raise NotFound(f"{self.kind} {scim_id} not found.")
        qs = self.base_queryset()
        if projection is not None:
            qs = self.with_related(qs, projection)
        obj = qs.filter(scim_id=scim_id).first()
        if obj is None:
            raise NotFound(f"{self.kind} {scim_id} not found.")
        obj.org = self.request.scim_org  # already loaded with the token
        return obj

    def adapter(self, obj: Any) -> Any:
        return self.adapter_class(obj, request=self.request)

    def render(self, adapter: Any, projection: Projection, *, status: int = 200) -> HttpResponse:
        response = scim_json_response(
            projection.apply(self.to_dict(adapter, projection)), status=status
        )
        response["Location"] = adapter.location
        if adapter.notes:
            self.note("; ".join(adapter.notes))
        return response

    def to_dict(self, adapter: Any, projection: Projection) -> dict[str, Any]:
        return adapter.to_dict()

    # GET ---------------------------------------------------------------------------------

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        projection = self.projection(request.GET)
        if uuid:
            return self.render(self.adapter(self.get_object(projection)), projection)
        return self.list(request.GET.get("filter"), request.GET.get("startIndex"),
                         request.GET.get("count"), projection)  # fmt: skip

    def list(
        self, filter_text: Any, start_raw: Any, count_raw: Any, projection: Projection
    ) -> HttpResponse:
        start, count = paging(start_raw, count_raw)
        if filter_text:
            if not isinstance(filter_text, str):
                raise InvalidValue("'filter' must be a string.")
            qs = self.filter_parser.search(filter_text, self.request)
        else:
            qs = self.base_queryset()
        total, page = self.page(qs, filter_text or "", start, count, projection)
        resources = [projection.apply(self.to_dict(self.adapter(o), projection)) for o in page]
        self.note(f"listed {len(resources)} of {total}")
        return list_response(resources, total, start)

    def page(
        self, qs: QuerySet, filter_text: str, start: int, count: int, projection: Projection
    ) -> tuple[int, Page]:
        """The total and the page at 1-based `start`, in primary-key order.

        OFFSET reads and discards every row before the page, so an import's last page of a
        100,000-person org would cost a hundred times its first. Each full page served leaves
        its last primary key in the shared cache for the page that follows (keyed by token,
        resource, filter and that page's startIndex); when exactly that page is asked for next
        and the total is unchanged, it is read from that key on (keyset pagination). Anything
        else (a jump, a change to the set in between) is served by OFFSET. Either way the
        request runs the same queries: one COUNT, one page, the page's prefetches. A first
        page that is not full is the whole set, so it needs no COUNT: Okta's `userName eq`
        lookup before every create is one query cheaper.
        """
        ordered = self.with_related(qs.order_by("pk"), projection)
        if start == 1 and count:
            page = list(ordered[:count])
            if len(page) < count:
                return len(page), page
            total = qs.count()
            self._remember_next(filter_text, start, count, page, total)
            return total, page
        total = qs.count()
        if not count or start > total:
            return total, []
        hint = cache.get(self._page_hint_key(filter_text, start)) if start > 1 else None
        if hint is not None and hint[1] == total:
            page = list(ordered.filter(pk__gt=hint[0])[:count])
        else:
            page = list(ordered[start - 1 : start - 1 + count])
        self._remember_next(filter_text, start, count, page, total)
        return total, page

    def _remember_next(
        self, filter_text: str, start: int, count: int, page: Page, total: int
    ) -> None:
        if len(page) == count and start - 1 + count < total:
            cache.set(
                self._page_hint_key(filter_text, start + count),
                (page[-1].pk, total),
                PAGE_HINT_SECONDS,
            )

    def _page_hint_key(self, filter_text: str, start: int) -> str:
        token = self.request.scim_token  # type: ignore[attr-defined]
        # Hashed with the token's digest: unique per token, and nothing readable in the cache.
        raw = f"{token.digest}|{self.kind}|{filter_text}|{start}"
        return "scim:page:" + hashlib.sha256(raw.encode()).hexdigest()

    # Writes ------------------------------------------------------------------------------

    def post(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid:
            return self.http_method_not_allowed(request)
        adapter = self.adapter(self.model())
        adapter.from_dict(self.load_body(request.body))
        adapter.save()
        projection = self.projection(request.GET)
        obj = self.with_related(self.base_queryset(), projection).get(pk=adapter.obj.pk)
        adapter.obj = obj
        response = self.render(adapter, projection, status=201)
        self.note(f"created {self.kind.lower()} {obj.scim_id}" + self._notes_suffix(adapter))
        return response

    def put(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if not uuid:
            return self.http_method_not_allowed(request)
        adapter = self.adapter(self.get_object())
        adapter.from_dict(self.load_body(request.body))
        adapter.save()
        return self._reload_and_render(adapter, "replaced")

    def patch(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if not uuid:
            return self.http_method_not_allowed(request)
        adapter = self.adapter(self.get_object())
        adapter.handle_operations(operations_parse(self.load_body(request.body)))
        adapter.save()
        return self._reload_and_render(adapter, "patched")

    def delete(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if not uuid:
            return self.http_method_not_allowed(request)
        obj = self.get_object()
        self.adapter(obj).delete()
        self.note(f"{self.delete_verb} {self.kind.lower()} {obj.scim_id}")
        return HttpResponse(status=204)

    delete_verb = "deleted"

    def _reload_and_render(self, adapter: Any, verb: str) -> HttpResponse:
        projection = self.projection(self.request.GET)
        adapter.obj = self.with_related(self.base_queryset(), projection).get(pk=adapter.obj.pk)
        response = self.render(adapter, projection)
        self.note(f"{verb} {self.kind.lower()} {adapter.obj.scim_id}" + self._notes_suffix(adapter))
        return response

    @staticmethod
    def _notes_suffix(adapter: Any) -> str:
        return f" ({'; '.join(adapter.notes)})" if adapter.notes else ""


class UsersView(ResourceView):
    adapter_class = SCIMPerson
    filter_parser = PersonFilterQuery
    model = Person
    kind = "User"
    delete_verb = "suspended and hid"

    def base_queryset(self) -> QuerySet:
        # People the IdP deleted are gone as far as SCIM is concerned (RFC 7644 §3.6).
        return super().base_queryset().filter(idp_deleted_at__isnull=True)

    def with_related(self, qs: QuerySet, projection: Projection) -> QuerySet:
        qs = qs.prefetch_related(
            Prefetch("emails", queryset=PersonEmail.objects.order_by("-primary", "id"))
        )
        if projection.wants("groups"):
            qs = qs.prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=GroupMembership.objects.select_related("group").order_by("group_id"),
                )
            )
        else:
            qs = qs.prefetch_related(
                Prefetch("memberships", queryset=GroupMembership.objects.none())
            )
        return qs


class GroupsView(ResourceView):
    adapter_class = SCIMGroupAdapter
    filter_parser = GroupFilterQuery
    model = Group
    kind = "Group"

    def with_related(self, qs: QuerySet, projection: Projection) -> QuerySet:
        if not projection.wants("members"):
            return qs
        return qs.prefetch_related(
            Prefetch(
                "memberships",
                queryset=GroupMembership.objects.select_related("person").order_by("person_id"),
            )
        )

    def to_dict(self, adapter: Any, projection: Projection) -> dict[str, Any]:
        return adapter.to_dict(members=projection.wants("members"))

    def patch(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        """Answers 204 (RFC 7644 §3.5.2): a membership change never sends back a group's
        thousands of members. With `attributes`, the group is returned as asked."""
        if not uuid:
            return self.http_method_not_allowed(request)
        adapter = self.adapter(self.get_object())
        adapter.handle_operations(operations_parse(self.load_body(request.body)))
        adapter.save()
        if request.GET.get("attributes"):
            return self._reload_and_render(adapter, "patched")
        self.note(f"patched group {adapter.obj.scim_id}")
        return HttpResponse(status=204)
