"""What the SCIM endpoint reads: the org's people and groups as SCIM sees them, with exactly
the related rows a response shows, each in one query for the whole page."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler

from access.models import Credential
from accounts.models import Group, GroupMembership, Organization, Person
from accounts.selectors.people import person_list_scim_visible


def _card_number() -> Subquery:
    """The live card the IdP set for the person (OuterRef pk), in the same query."""
    return Subquery(
        Credential.objects.filter(
            person=OuterRef("pk"), status=Credential.Status.ACTIVE, source=Credential.Source.SCIM
        ).values("number")[:1]
    )


def scim_user_list(*, org: Organization) -> QuerySet[Person]:
    """The org's SCIM-visible people, to write (each with `scim_card_number`, the live card
    the IdP set, read in the same query)."""
    return person_list_scim_visible(org=org).annotate(scim_card_number=_card_number())


def scim_group_list(*, org: Organization) -> QuerySet[Group]:
    """The org's groups, to write (never with their members)."""
    return Group.objects.filter(org=org)


# What a User resource shows, read as plain rows (provisioning.scim.serializers.user_doc).
USER_FIELDS = (
    "pk",
    "scim_id",
    "user_name",
    "is_active",
    "send_emails",
    "given_name",
    "family_name",
    "external_id",
    "display_name",
    "locale",
    "created_at",
    "updated_at",
    "scim_card_number",
)
GROUP_FIELDS = ("pk", "scim_id", "display_name", "external_id", "created_at", "updated_at")


# A person's emails (value, type, primary; primary first) and groups ([SCIM id, name], in
# group order) as JSON arrays, read by the page query itself: a lookup or a page of 100 is
# one query (a person's few groups joined per row cost less than one more round trip and its
# ORM compilation). As text: orjson decodes it faster than the driver's json module would.
_RELATED_SQL = {
    "postgresql": {
        "emails": 'SELECT COALESCE(json_agg(json_build_array(e.value, e.type, e."primary") '
        "ORDER BY e.\"primary\" DESC, e.id), '[]')::text FROM accounts_personemail e "
        'WHERE e.person_id = "accounts_person"."id"',
        "groups": "SELECT COALESCE(json_agg(json_build_array(g.scim_id, g.display_name) "
        "ORDER BY m.group_id), '[]')::text FROM accounts_groupmembership m "
        'JOIN accounts_group g ON g.id = m.group_id WHERE m.person_id = "accounts_person"."id"',
    },
    # SQLite aggregates rows in the order of the subquery it reads.
    "sqlite": {
        "emails": 'SELECT json_group_array(json_array(value, type, "primary")) FROM '
        '(SELECT value, type, "primary" FROM accounts_personemail '
        'WHERE person_id = "accounts_person"."id" ORDER BY "primary" DESC, id)',
        "groups": "SELECT json_group_array(json_array(scim_id, display_name)) FROM (SELECT "
        "g.scim_id, g.display_name FROM accounts_groupmembership m JOIN accounts_group g "
        'ON g.id = m.group_id WHERE m.person_id = "accounts_person"."id" ORDER BY m.group_id)',
    },
}


def scim_user_rows(*, org: Organization, groups: bool) -> QuerySet:
    """The org's SCIM-visible people as rows of USER_FIELDS plus `emails_json` and (if
    `groups`) `groups_json` (their groups), as JSON arrays: filter, order and slice it."""
    sql = _RELATED_SQL[connection.vendor]
    # Constant SQL, no parameters: nothing from the request reaches it.
    related = {"emails_json": RawSQL(sql["emails"], ())}  # noqa: S611
    if groups:
        related["groups_json"] = RawSQL(sql["groups"], ())  # noqa: S611
    return scim_user_list(org=org).annotate(**related).values(*USER_FIELDS, *related)


@dataclass(frozen=True)
class _Prepared:
    """A rows query compiled once: its SQL, its parameters with stand-ins, and the compiler
    whose converters turn fetched rows into what the ORM would have returned."""

    sql: str
    params: tuple[Any, ...]
    compiler: SQLCompiler
    names: tuple[str, ...]

    def rows(self, values: dict[Any, Any]) -> list[dict[str, Any]]:
        params = [values.get((type(p), p), p) for p in self.params]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.compiler.results_iter([fetched])]


# Stand-ins compiled into a prepared query's parameters, replaced on every execution.
_ORG_PK = -7_270_001
_AFTER_PK = -7_270_002
_KEY = "\x00user-name-key\x00"


def _prepared_user_rows(shape: str, groups: bool, limit: int | None) -> _Prepared:
    """scim_user_rows in primary-key order for one `shape`: "key" (user_name_key = key),
    "first" (the first `limit`) or "after" (the first `limit` after a primary key)."""
    # Kept on the connection (one per thread): a compiler and its converters belong to the
    # connection that compiled them. `limit` is at most SCIM_MAX_PAGE_SIZE, so few entries.
    cache = connection.__dict__.setdefault("_kisiscim_prepared", {})
    cache_key = (shape, groups, limit)
    prepared = cache.get(cache_key)
    if prepared is None:
        stand_in = Organization(pk=_ORG_PK)
        stand_in._state.adding = False  # a saved org, as far as the filter is concerned
        qs = scim_user_rows(org=stand_in, groups=groups)
        if shape == "key":
            qs = qs.filter(user_name_key=_KEY)
        elif shape == "after":
            qs = qs.filter(pk__gt=_AFTER_PK)
        qs = qs.order_by("pk")
        if limit is not None:
            qs = qs[:limit]
        compiler = qs.query.get_compiler(connection.alias)
        sql, params = compiler.as_sql()
        query = compiler.query
        names = query.selected or (
            *query.extra_select,
            *query.values_select,
            *query.annotation_select,
        )
        wanted = {"key": _KEY, "after": _AFTER_PK}.get(shape)
        scalars = all(isinstance(p, str | int | bool | float) for p in params)
        if (
            not scalars  # each is looked up among the stand-ins by (type, value)
            or list(params).count(_ORG_PK) != 1
            or (wanted and list(params).count(wanted) != 1)
        ):
            raise RuntimeError(f"the prepared query's parameters are not as expected: {params}")
        prepared = _Prepared(sql, tuple(params), compiler, tuple(names))
        cache[cache_key] = prepared
    return prepared


# Compiling these queries on every request cost more than the database's work (1.1 of 2.2 ms
# in process for a lookup): each is compiled once per process and connection, with the same
# SQL and the same rows (the ORM's own converters) as `scim_user_rows` filtered, ordered and
# sliced alike (tests/provisioning/scim/test_prepared_lookup.py).


def scim_user_rows_by_key(*, org: Organization, key: str, groups: bool) -> list[dict[str, Any]]:
    """`scim_user_rows(...).filter(user_name_key=key)`: Okta's `userName eq` lookup before
    every create, its hottest request. The key is unique in the org: zero or one row."""
    prepared = _prepared_user_rows("key", groups, None)
    return prepared.rows({(int, _ORG_PK): org.pk, (str, _KEY): key})


def scim_user_rows_page(
    *, org: Organization, groups: bool, count: int, after: int | None = None
) -> list[dict[str, Any]]:
    """`scim_user_rows(...).order_by("pk")[:count]`, after the primary key `after` if given:
    the pages of Okta's import (the first, then each from the last key of the one before)."""
    prepared = _prepared_user_rows("first" if after is None else "after", groups, count)
    return prepared.rows({(int, _ORG_PK): org.pk, (int, _AFTER_PK): after})


def scim_group_rows(*, org: Organization) -> QuerySet:
    """The org's groups as rows of GROUP_FIELDS (filter, order and slice it)."""
    return Group.objects.filter(org=org).values(*GROUP_FIELDS)


@dataclass
class GroupRelated:
    """A page of groups' member ids, by group pk, in membership order."""

    members: dict[int, list[str]] = field(default_factory=dict)


def scim_group_related(*, group_pks: Iterable[int]) -> GroupRelated:
    """The members (SCIM ids, in person order) of these groups, in one query."""
    pks = list(group_pks)
    members: dict[int, list[str]] = defaultdict(list)
    if pks:
        for group_id, scim_id in (
            GroupMembership.objects.filter(group_id__in=pks)
            .order_by("person_id")
            .values_list("group_id", "person__scim_id")
        ):
            members[group_id].append(scim_id)
    return GroupRelated(members=members)
