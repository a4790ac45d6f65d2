"""SCIM filters (RFC 7644 §3.4.2.2) compiled to org-scoped Django queries.

The filter text is parsed by scim2-filter-parser (the parser django-scim2 uses). The tree is
compiled here rather than by the library's transpilers, which silently drop attributes they
do not know (so `userName eq "a" and title eq "b"` would match more than asked) and compile
`eq` to UPPER() comparisons that no index serves. Here an unsupported attribute or operator
is a 400 `invalidFilter`, and `userName eq` / `displayName eq` compile to LOWER(col) = LOWER(%s),
which the functional unique indexes answer.

`filter_compile(text, schema)` returns a Q for the SCIM selectors' querysets, which already
hold the org and the visibility rule; PATCH value filters are parsed by `filter_parse` too.
"""

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from django.db.models import Exists, Model, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.utils.dateparse import parse_datetime
from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError

from accounts.models import GroupMembership, PersonEmail
from accounts.usernames import user_name_key
from provisioning.scim.constants import GROUP_SCHEMA, USER_SCHEMA
from provisioning.scim.errors import InvalidFilter

MAX_FILTER_LENGTH = 2000
MAX_COMPARISONS = 50


class Kind(Enum):
    CASE_EXACT = "caseExact string"
    CASE_IGNORED = "string"
    BOOLEAN = "boolean"
    DATETIME = "dateTime"
    # userName: compared by the userName rule's key (accounts.usernames), as writes are.
    USER_NAME = "userName"


@dataclass(frozen=True)
class Attr:
    field: str
    kind: Kind


@dataclass(frozen=True)
class MultiAttr:
    """A multi-valued attribute stored in a related table; matched with EXISTS so a person
    with two matching emails is listed once."""

    model: type[Model]
    link: str
    sub_attrs: dict[str, Attr]
    default_sub: str = "value"


@dataclass
class Schema:
    uri: str
    attrs: dict[tuple[str, str | None], Attr]
    multi: dict[str, MultiAttr] = field(default_factory=dict)

    def describe(self) -> str:
        names = [f"{a}.{s}" if s else a for a, s in self.attrs]
        names += [f"{m}.{s}" for m, spec in self.multi.items() for s in spec.sub_attrs]
        return ", ".join(sorted(set(names)))


USER_FILTER_SCHEMA = Schema(
    uri=USER_SCHEMA,
    attrs={
        ("id", None): Attr("scim_id", Kind.CASE_EXACT),
        ("externalid", None): Attr("external_id", Kind.CASE_EXACT),
        ("username", None): Attr("user_name_key", Kind.USER_NAME),
        ("displayname", None): Attr("display_name", Kind.CASE_IGNORED),
        ("name", "givenname"): Attr("given_name", Kind.CASE_IGNORED),
        ("name", "familyname"): Attr("family_name", Kind.CASE_IGNORED),
        ("active", None): Attr("is_active", Kind.BOOLEAN),
        ("meta", "created"): Attr("created_at", Kind.DATETIME),
        ("meta", "lastmodified"): Attr("updated_at", Kind.DATETIME),
    },
    multi={
        "emails": MultiAttr(
            model=PersonEmail,
            link="person",
            sub_attrs={
                "value": Attr("value", Kind.CASE_IGNORED),
                "type": Attr("type", Kind.CASE_IGNORED),
                "primary": Attr("primary", Kind.BOOLEAN),
            },
        ),
    },
)

GROUP_FILTER_SCHEMA = Schema(
    uri=GROUP_SCHEMA,
    attrs={
        ("id", None): Attr("scim_id", Kind.CASE_EXACT),
        ("externalid", None): Attr("external_id", Kind.CASE_EXACT),
        ("displayname", None): Attr("display_name", Kind.CASE_IGNORED),
        ("meta", "created"): Attr("created_at", Kind.DATETIME),
        ("meta", "lastmodified"): Attr("updated_at", Kind.DATETIME),
    },
    multi={
        "members": MultiAttr(
            model=GroupMembership,
            link="group",
            sub_attrs={
                "value": Attr("person__scim_id", Kind.CASE_EXACT),
                "display": Attr("person__user_name", Kind.CASE_IGNORED),
            },
        ),
    },
)


def filter_parse(text: str) -> scim_ast.AST:
    """Parse a SCIM filter (or a PATCH path's value filter); InvalidFilter if it is not one."""
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(text))
    except (SCIMParserError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise InvalidFilter(f"The filter could not be parsed: {text!r}.") from exc


def _datetime(raw: object, where: str) -> dt.datetime:
    """An ISO 8601 date-time as an aware UTC datetime. A date-time Python or the database
    cannot hold (year 0, a `+99:00` offset, one that leaves years 1 to 9999 once in UTC) is an
    InvalidFilter, not an error in the query."""
    try:
        parsed = parse_datetime(raw) if isinstance(raw, str) else None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        pass
    raise InvalidFilter(f"{where} needs an ISO 8601 date-time, not {raw!r}.")


def _leaf(attr: Attr, op: str, raw: str | None, where: str) -> Q:
    """One comparison `<attr> <op> <value>` as a Q on `attr.field`."""
    name = attr.field
    if op == "pr":
        if attr.kind == Kind.BOOLEAN:
            return Q(**{f"{name}__isnull": False})
        if attr.kind == Kind.DATETIME:
            return Q(**{f"{name}__isnull": False})
        return ~Q(**{name: ""})
    if raw is None:
        raise InvalidFilter(f"{where}: the operator {op!r} needs a value.")
    value: object = raw
    if attr.kind == Kind.BOOLEAN:
        if op not in ("eq", "ne") or raw.lower() not in ("true", "false"):
            raise InvalidFilter(f"{where} is a boolean: compare it with eq or ne to true or false.")
        value = raw.lower() == "true"
    elif attr.kind == Kind.DATETIME:
        value = _datetime(raw, where)
        if op in ("co", "sw", "ew"):
            raise InvalidFilter(f"{where} is a date-time: {op!r} does not apply.")
    if attr.kind == Kind.USER_NAME and isinstance(value, str):
        key = user_name_key(value.strip() if op in ("eq", "ne") else value)
        if op in ("eq", "ne"):
            q = Q(**{name: key})
            return ~q if op == "ne" else q
        if op in ("co", "sw", "ew"):
            lookup = {"co": "contains", "sw": "startswith", "ew": "endswith"}[op]
            return Q(**{f"{name}__{lookup}": key})
    if op in ("eq", "ne"):
        if attr.kind == Kind.CASE_IGNORED:
            q = Q(**{f"{name}__lower": Lower(Value(value))})
        else:
            q = Q(**{name: value})
        return ~q if op == "ne" else q
    if op in ("co", "sw", "ew"):
        lookup = {"co": "contains", "sw": "startswith", "ew": "endswith"}[op]
        prefix = "i" if attr.kind == Kind.CASE_IGNORED else ""
        return Q(**{f"{name}__{prefix}{lookup}": value})
    if op in ("gt", "ge", "lt", "le"):
        lookup = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}[op]
        return Q(**{f"{name}__{lookup}": value})
    raise InvalidFilter(f"Unsupported filter operator {op!r}.")


class _Compiler:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.comparisons = 0

    def compile(self, node: scim_ast.AST) -> Q:
        try:
            return self._node(node, None)
        except RecursionError as exc:
            raise InvalidFilter("The filter is nested too deeply.") from exc

    def _node(self, node: scim_ast.AST, multi: tuple[str, MultiAttr] | None) -> Q:
        if isinstance(node, scim_ast.Filter):
            if node.namespace is not None:
                if multi is not None:
                    raise InvalidFilter("Nested value filters are not supported.")
                return self._value_filter(node.namespace, node.expr, node.negated)
            q = self._node(node.expr, multi)
            return ~q if node.negated else q
        if isinstance(node, scim_ast.LogExpr):
            left = self._node(node.expr1, multi)
            right = self._node(node.expr2, multi)
            return left & right if node.op.lower() == "and" else left | right
        if isinstance(node, scim_ast.AttrExpr):
            return self._attr_expr(node, multi)
        raise InvalidFilter("Unsupported filter expression.")

    def _check_uri(self, uri: str | None) -> None:
        if uri is not None and uri.lower() != self.schema.uri.lower():
            raise InvalidFilter(f"Unsupported schema in filter: {uri!r}.")

    def _count(self) -> None:
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise InvalidFilter(f"The filter has more than {MAX_COMPARISONS} comparisons.")

    def _attr_expr(self, node: scim_ast.AttrExpr, multi: tuple[str, MultiAttr] | None) -> Q:
        self._count()
        path = node.attr_path
        op = node.value.lower()
        raw = node.comp_value.value if node.comp_value is not None else None
        if isinstance(path.attr_name, scim_ast.Filter):
            # `emails[type eq "work"].value eq "x"` is a PATCH path shape, not a filter
            # (RFC 7644 §3.4.2.2 ABNF): say how to write it instead.
            raise InvalidFilter(
                "A value path cannot be compared; put the condition inside the brackets, "
                'e.g. emails[type eq "work" and value eq "x"].'
            )
        self._check_uri(path.uri)
        name = path.attr_name.lower()
        sub = path.sub_attr.value.lower() if path.sub_attr else None
        where = path.attr_name + (f".{path.sub_attr.value}" if path.sub_attr else "")
        if multi is not None:
            spec = multi[1].sub_attrs.get(name) if sub is None else None
            if spec is None:
                raise InvalidFilter(f"Unsupported attribute {where!r} inside {multi[0]}[…].")
            return _leaf(spec, op, raw, f"{multi[0]}.{where}")
        if name in self.schema.multi:
            spec_multi = self.schema.multi[name]
            sub_name = sub or spec_multi.default_sub
            sub_attr = spec_multi.sub_attrs.get(sub_name)
            if sub_attr is None:
                raise InvalidFilter(self._unsupported(where))
            return self._exists(spec_multi, _leaf(sub_attr, op, raw, where))
        attr = self.schema.attrs.get((name, sub))
        if attr is None:
            raise InvalidFilter(self._unsupported(where))
        return _leaf(attr, op, raw, where)

    def _value_filter(self, namespace: scim_ast.AttrPath, expr: scim_ast.AST, negated: bool) -> Q:
        self._check_uri(namespace.uri)
        name = namespace.attr_name.lower() if isinstance(namespace.attr_name, str) else ""
        spec = self.schema.multi.get(name)
        if spec is None or namespace.sub_attr is not None:
            raise InvalidFilter(
                f"{namespace.attr_name}[…] is not a multi-valued attribute that can be filtered; "
                f"those are: {', '.join(sorted(self.schema.multi))}."
            )
        inner = self._node(expr, (name, spec))
        return self._exists(spec, ~inner if negated else inner)

    @staticmethod
    def _exists(spec: MultiAttr, q: Q) -> Q:
        related = spec.model._default_manager.filter(**{spec.link: OuterRef("pk")}).filter(q)
        return Q(Exists(related))

    def _unsupported(self, where: str) -> str:
        return f"Filtering on {where!r} is not supported. Supported: {self.schema.describe()}."


def user_name_eq_key(condition: Q | None) -> str | None:
    """The userName key a compiled filter asks for when it is exactly `userName eq "…"`
    (`_Compiler` makes that `Q(user_name_key=key)`), else None: one person at most, which
    the SCIM views read by a faster path."""
    if condition is None or condition.negated or len(condition.children) != 1:
        return None
    (child,) = condition.children
    if isinstance(child, tuple) and child[0] == "user_name_key" and isinstance(child[1], str):
        return child[1]
    return None


def filter_compile(text: str, schema: Schema) -> Q:
    """Compile a SCIM filter to a Q; raise InvalidFilter (400) for anything unsupported."""
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidFilter(f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
    if "\x00" in text:  # PostgreSQL text cannot hold NUL: no value could match it
        raise InvalidFilter("The filter contains a NUL character.")
    return _Compiler(schema).compile(filter_parse(text))
