"""/Users and /Groups: lists (filters, paging), reads and writes, on the SCIM selectors (org
scoping and the visibility rule), the adapters (SCIM JSON → services) and the serializer
(rows → SCIM JSON, the same for every answer).

Every request costs a constant number of queries: lists run one COUNT (none for a short first
page or an unfiltered Users list) and one page query on a stable primary-key order (keyset or
LIMIT/OFFSET, see `ResourceView.page`), a person's emails and groups in the page query
itself, a page of groups' members in one more; writes go through the services in one
transaction and answer with the same serializer as a GET.
"""

import hashlib
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.models import Group, Person, scim_id_is_possible
from accounts.selectors.people import person_scim_visible_count
from kisiscim.counters import shared_cache as cache
from provisioning.scim.adapters import SCIMGroupAdapter, SCIMPerson
from provisioning.scim.errors import InvalidFilter, NotFound, scim_json_response
from provisioning.scim.filters import (
    GROUP_FILTER_SCHEMA,
    USER_FILTER_SCHEMA,
    Schema,
    filter_compile,
    user_name_eq_key,
)
from provisioning.scim.patch import operations_parse
from provisioning.scim.serializers import (
    Locations,
    group_doc,
    user_doc,
)
from provisioning.scim.views.base import Projection, ScimBaseView, list_response, paging
from provisioning.selectors.scim import (
    scim_group_list,
    scim_group_related,
    scim_group_rows,
    scim_user_list,
    scim_user_rows,
    scim_user_rows_by_key,
    scim_user_rows_page,
)
from provisioning.services.log import LogChange

PAGE_HINT_SECONDS = 600
Page = list[Any]  # (`list` is also a view method, so class bodies cannot name the builtin)


class ResourceView(ScimBaseView):
    """Shared list/get/create/replace/patch/delete logic for Users and Groups."""

    adapter_class: type
    filter_schema: Schema
    model: type
    lookup_url_kwarg = "uuid"
    kind = ""

    def allowed_methods(self) -> list[str]:
        """A collection takes GET and POST; one resource GET, PUT, PATCH and DELETE."""
        if self.kwargs.get(self.lookup_url_kwarg):
            return ["GET", "PUT", "PATCH", "DELETE"]
        return ["GET", "POST"]

    def queryset(self) -> QuerySet:
        """What SCIM sees of this resource type in the token's org, as model instances: for
        the writes (a write never loads a group's members)."""
        raise NotImplementedError

    def rows(self, projection: Projection) -> QuerySet:
        """The same, as plain rows of the fields a resource shows: for every answer."""
        raise NotImplementedError

    def docs(self, rows: list[dict[str, Any]], projection: Projection) -> list[dict[str, Any]]:
        """These rows as SCIM resources, their related rows read once for them all."""
        raise NotImplementedError

    def condition(self, filter_text: Any) -> Q | None:
        """The SCIM filter as a condition on the rows, or None without one."""
        if filter_text is None or filter_text == "":
            return None
        if not isinstance(filter_text, str):
            raise InvalidFilter("'filter' must be a string.")
        return filter_compile(filter_text, self.filter_schema)

    def filtered(self, filter_text: Any, projection: Projection) -> QuerySet:
        """The rows, narrowed by a SCIM filter if one is given."""
        condition = self.condition(filter_text)
        qs = self.rows(projection)
        return qs if condition is None else qs.filter(condition)

    def lookup(self, condition: Q | None, projection: Projection) -> list[Any] | None:
        """Every row a condition that names one resource by a unique key matches (zero or
        one), by a faster path than a list's; None when the condition is of another kind."""
        return None

    @property
    def locations(self) -> Locations:
        if not hasattr(self, "_locations"):
            self._locations = Locations.of(self.request)
        return self._locations

    def _scim_id(self) -> str:
        scim_id = self.kwargs.get(self.lookup_url_kwarg)
        if not scim_id_is_possible(scim_id):
            raise NotFound(f"{self.kind} {scim_id} not found.")
        return scim_id

    def get_object(self, *, lock: bool = False) -> Any:
        """The resource named in the URL, in the token's org (404 otherwise), to write. With
        `lock`, the row is locked until the request's transaction ends, and re-checked against
        the visibility rule once the lock is had: of concurrent DELETEs of one user, one finds
        it and the others, waiting behind it, find nothing (404)."""
        scim_id = self._scim_id()
        qs = self.queryset().filter(scim_id=scim_id)
        if lock:
            qs = qs.select_for_update(of=("self",))
        obj = qs.first()
        if obj is None:
            raise NotFound(f"{self.kind} {scim_id} not found.")
        obj.org = self.request.scim_org  # already loaded with the token
        return obj

    def adapter(self, obj: Any) -> Any:
        return self.adapter_class(obj, request=self.request)

    def render(
        self, row: dict[str, Any] | None, projection: Projection, *, status: int = 200
    ) -> HttpResponse:
        if row is None:
            raise NotFound(f"{self.kind} {self.kwargs.get(self.lookup_url_kwarg)} not found.")
        (doc,) = self.docs([row], projection)
        response = scim_json_response(projection.apply(doc), status=status)
        response["Location"] = doc["meta"]["location"]
        return response

    # GET ---------------------------------------------------------------------------------

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        projection = self.projection(request.GET)
        if uuid:
            row = self.rows(projection).filter(scim_id=self._scim_id()).first()
            if row is not None:
                self.record("read", row["scim_id"], self.row_label(row))
            return self.render(row, projection)
        return self.list(request.GET.get("filter"), request.GET.get("startIndex"),
                         request.GET.get("count"), projection)  # fmt: skip

    def list(
        self, filter_text: Any, start_raw: Any, count_raw: Any, projection: Projection
    ) -> HttpResponse:
        start, count = paging(start_raw, count_raw)
        condition = self.condition(filter_text)
        found = self.lookup(condition, projection) if start == 1 and count else None
        if found is not None:
            total, page = len(found), found
        else:
            qs = self.rows(projection)
            qs = qs if condition is None else qs.filter(condition)
            total, page = self.page(qs, filter_text or "", start, count, projection)
        resources = [projection.apply(doc) for doc in self.docs(page, projection)]
        self.note(f"listed {len(resources)} of {total}")
        self.record(
            "listed", change={"count": len(resources), "total": total, "filter": filter_text or ""}
        )
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
        ordered = qs.order_by("pk")
        if start == 1 and count:
            page = self.first_rows(ordered, filter_text, count, projection)
            if len(page) < count:
                return len(page), page
            total = self.total(qs, filter_text)
            self._remember_next(filter_text, start, count, page, total)
            return total, page
        total = self.total(qs, filter_text)
        if not count or start > total:
            return total, []
        hint = cache.get(self._page_hint_key(filter_text, start)) if start > 1 else None
        if hint is not None and hint[1] == total:
            page = self.rows_after(ordered, filter_text, hint[0], count, projection)
        else:
            # The keys first, then the rows: OFFSET would otherwise build every skipped row's
            # related arrays before throwing them away.
            keys = qs.order_by("pk").values("pk")[start - 1 : start - 1 + count]
            page = list(ordered.filter(pk__in=keys))
        self._remember_next(filter_text, start, count, page, total)
        return total, page

    def total(self, qs: QuerySet, filter_text: str) -> int:
        """How many resources `qs` (the filtered rows) holds."""
        return qs.count()

    def first_rows(
        self, ordered: QuerySet, filter_text: str, count: int, projection: Projection
    ) -> Page:
        """The first `count` of the ordered rows."""
        return list(ordered[:count])

    def rows_after(
        self, ordered: QuerySet, filter_text: str, after: int, count: int, projection: Projection
    ) -> Page:
        """The first `count` of the ordered rows after the primary key `after`."""
        return list(ordered.filter(pk__gt=after)[:count])

    def _remember_next(
        self, filter_text: str, start: int, count: int, page: Page, total: int
    ) -> None:
        if len(page) == count and start - 1 + count < total:
            cache.set(
                self._page_hint_key(filter_text, start + count),
                (page[-1]["pk"], total),
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
        response = self.render(
            self.rows(projection).filter(pk=adapter.obj.pk).first(), projection, status=201
        )
        self.note(
            f"created {self.kind.lower()} {adapter.obj.scim_id}" + self._notes_suffix(adapter)
        )
        self.record_adapter(adapter)
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
        obj = self.get_object(lock=True)
        label = self.obj_label(obj)
        self.adapter(obj).delete()
        self.note(f"{self.delete_verb} {self.kind.lower()} {obj.scim_id}")
        self.record("deleted", obj.scim_id, label)
        return HttpResponse(status=204)

    delete_verb = "deleted"

    def _reload_and_render(self, adapter: Any, verb: str) -> HttpResponse:
        projection = self.projection(self.request.GET)
        response = self.render(self.rows(projection).filter(pk=adapter.obj.pk).first(), projection)
        self.note(f"{verb} {self.kind.lower()} {adapter.obj.scim_id}" + self._notes_suffix(adapter))
        self.record_adapter(adapter)
        return response

    def record(
        self,
        action: str,
        resource_id: str = "",
        label: str = "",
        change: dict[str, Any] | None = None,
    ) -> None:
        """What the provisioning log says happened (provisioning.services.log reads it)."""
        self.request.scim_change = LogChange(  # type: ignore[attr-defined]
            action=action, resource_id=resource_id, target_label=label, change=change or {}
        )

    def record_adapter(self, adapter: Any) -> None:
        self.record(
            adapter.change_action or "unchanged",
            adapter.obj.scim_id,
            self.obj_label(adapter.obj),
            adapter.change,
        )

    def obj_label(self, obj: Any) -> str:
        return str(obj)

    def row_label(self, row: dict[str, Any]) -> str:
        return ""

    @staticmethod
    def _notes_suffix(adapter: Any) -> str:
        return f" ({'; '.join(adapter.notes)})" if adapter.notes else ""


class UsersView(ResourceView):
    adapter_class = SCIMPerson
    filter_schema = USER_FILTER_SCHEMA
    model = Person
    kind = "User"
    delete_verb = "suspended and hid"

    def queryset(self) -> QuerySet:
        return scim_user_list(org=self.request.scim_org)

    def obj_label(self, obj: Any) -> str:
        return obj.full_name or obj.user_name

    def row_label(self, row: dict[str, Any]) -> str:
        name = " ".join(p for p in (row.get("given_name"), row.get("family_name")) if p)
        return name or row.get("display_name") or row.get("user_name") or ""

    def rows(self, projection: Projection) -> QuerySet:
        return scim_user_rows(org=self.request.scim_org, groups=projection.wants("groups"))

    # Unfiltered pages (Okta's import) by queries compiled once per process.
    def first_rows(
        self, ordered: QuerySet, filter_text: str, count: int, projection: Projection
    ) -> Page:
        if filter_text:
            return super().first_rows(ordered, filter_text, count, projection)
        return scim_user_rows_page(
            org=self.request.scim_org, groups=projection.wants("groups"), count=count
        )

    def rows_after(
        self, ordered: QuerySet, filter_text: str, after: int, count: int, projection: Projection
    ) -> Page:
        if filter_text:
            return super().rows_after(ordered, filter_text, after, count, projection)
        return scim_user_rows_page(
            org=self.request.scim_org, groups=projection.wants("groups"), count=count, after=after
        )

    def lookup(self, condition: Q | None, projection: Projection) -> list[Any] | None:
        key = user_name_eq_key(condition)  # `userName eq "…"`: Okta's lookup before a create
        if key is None:
            return None
        return scim_user_rows_by_key(
            org=self.request.scim_org, key=key, groups=projection.wants("groups")
        )

    def total(self, qs: QuerySet, filter_text: str) -> int:
        # Unfiltered: the count the database keeps, not a COUNT over the whole org (21 ms
        # at 100,000 people, on every page of Okta's import).
        if not filter_text:
            return person_scim_visible_count(org=self.request.scim_org)
        return super().total(qs, filter_text)

    def docs(self, rows: list[dict[str, Any]], projection: Projection) -> list[dict[str, Any]]:
        return [user_doc(row, self.locations) for row in rows]


class GroupsView(ResourceView):
    adapter_class = SCIMGroupAdapter
    filter_schema = GROUP_FILTER_SCHEMA
    model = Group
    kind = "Group"

    def queryset(self) -> QuerySet:
        return scim_group_list(org=self.request.scim_org)

    def obj_label(self, obj: Any) -> str:
        return obj.display_name

    def row_label(self, row: dict[str, Any]) -> str:
        return row.get("display_name") or ""

    def rows(self, projection: Projection) -> QuerySet:
        return scim_group_rows(org=self.request.scim_org)

    def docs(self, rows: list[dict[str, Any]], projection: Projection) -> list[dict[str, Any]]:
        related = (
            scim_group_related(group_pks=[r["pk"] for r in rows])
            if projection.wants("members")
            else None
        )
        return [group_doc(row, related, self.locations) for row in rows]

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
        self.record_adapter(adapter)
        return HttpResponse(status=204)
