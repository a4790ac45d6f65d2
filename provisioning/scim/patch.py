"""PATCH paths (RFC 7644 §3.5.2) and the small helpers both adapters need to read bodies.

A path is `[urn:…:]attr[.sub]` or `attr[<value filter>][.sub]`. Value filters are parsed by
scim2-filter-parser and evaluated here against one value of a multi-valued attribute (an
email), or reduced to member ids for Okta's `members[value eq "<id>"]` removal.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from scim2_filter_parser import ast as scim_ast

from provisioning.scim.errors import InvalidFilter, InvalidPath, InvalidSyntax, InvalidValue
from provisioning.scim.filters import filter_parse

_PATH_RE = re.compile(
    r"^(?:(?P<uri>urn:[^\[\]]+?):)?(?P<attr>[A-Za-z$][\w$-]*)"
    r"(?:\[(?P<filter>.+)\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$"
)
VALID_OPS = ("add", "remove", "replace")


@dataclass(frozen=True)
class PatchPath:
    uri: str | None
    attr: str  # lower-cased
    sub: str | None  # lower-cased
    value_filter: scim_ast.AST | None
    raw: str


def path_parse(path: str, known_uris: tuple[str, ...]) -> PatchPath:
    """Split a PATCH path; a path that is itself a schema URN addresses that schema's object."""
    if not isinstance(path, str) or not path.strip() or len(path) > 500:
        raise InvalidPath(f"Invalid PATCH path {path!r}.")
    path = path.strip()
    lowered = {u.lower(): u for u in known_uris}
    if path.lower() in lowered:
        return PatchPath(uri=lowered[path.lower()], attr="", sub=None, value_filter=None, raw=path)
    match = _PATH_RE.match(path)
    if not match:
        raise InvalidPath(f"Invalid PATCH path {path!r}.")
    uri = match["uri"]
    if uri is not None and uri.lower() not in lowered:
        raise InvalidPath(f"Unknown schema in PATCH path {path!r}.")
    value_filter = None
    if match["filter"] is not None:
        try:
            value_filter = filter_parse(match["filter"])
        except InvalidFilter as exc:
            raise InvalidFilter(f"Invalid value filter in PATCH path {path!r}.") from exc
    return PatchPath(
        uri=lowered[uri.lower()] if uri else None,
        attr=match["attr"].lower(),
        sub=match["sub"].lower() if match["sub"] else None,
        value_filter=value_filter,
        raw=path,
    )


def value_filter_matches(node: scim_ast.AST, item: dict[str, Any]) -> bool:
    """Evaluate a value filter (`type eq "work"`, `value eq "x" or primary eq true`) on one
    value of a multi-valued attribute. String comparisons ignore case (RFC 7643 §2.4)."""
    if isinstance(node, scim_ast.Filter):
        if node.namespace is not None:
            raise InvalidFilter("Nested value filters are not supported.")
        result = value_filter_matches(node.expr, item)
        return not result if node.negated else result
    if isinstance(node, scim_ast.LogExpr):
        left = value_filter_matches(node.expr1, item)
        right = value_filter_matches(node.expr2, item)
        return (left and right) if node.op.lower() == "and" else (left or right)
    if isinstance(node, scim_ast.AttrExpr):
        path = node.attr_path
        if not isinstance(path.attr_name, str) or path.sub_attr is not None:
            raise InvalidFilter("Unsupported value filter.")
        actual = item.get(path.attr_name.lower())
        op = node.value.lower()
        if op == "pr":
            return actual not in (None, "")
        expected = node.comp_value.value if node.comp_value is not None else None
        if isinstance(actual, bool):
            actual = "true" if actual else "false"
        a = str(actual or "").lower()
        e = str(expected or "").lower()
        comparisons = {
            "eq": a == e,
            "ne": a != e,
            "co": e in a,
            "sw": a.startswith(e),
            "ew": a.endswith(e),
        }
        if op not in comparisons:
            raise InvalidFilter(f"Unsupported operator {op!r} in a value filter.")
        return comparisons[op]
    raise InvalidFilter("Unsupported value filter.")


def member_ids_from_filter(node: scim_ast.AST) -> list[str]:
    """The ids in `members[value eq "a"]` (or `value eq "a" or value eq "b"`): Okta's removal
    sends the member id only inside the path filter, with no `value`."""
    if isinstance(node, scim_ast.Filter) and not node.negated and node.namespace is None:
        return member_ids_from_filter(node.expr)
    if isinstance(node, scim_ast.LogExpr) and node.op.lower() == "or":
        return member_ids_from_filter(node.expr1) + member_ids_from_filter(node.expr2)
    if (
        isinstance(node, scim_ast.AttrExpr)
        and node.value.lower() == "eq"
        and isinstance(node.attr_path.attr_name, str)
        and node.attr_path.attr_name.lower() == "value"
        and node.attr_path.sub_attr is None
        and node.comp_value is not None
    ):
        return [str(node.comp_value.value)]
    raise InvalidFilter('Only members[value eq "<id>"] filters are supported for members.')


def get_ci(body: dict[str, Any], key: str, default: Any = None) -> Any:
    """A key of a SCIM object; attribute names are case-insensitive (RFC 7643 §2.1)."""
    if key in body:
        return body[key]
    lowered = key.lower()
    for k, v in body.items():
        if isinstance(k, str) and k.lower() == lowered:
            return v
    return default


def has_ci(body: dict[str, Any], key: str) -> bool:
    sentinel = object()
    return get_ci(body, key, sentinel) is not sentinel


def as_bool(value: Any, attr: str) -> bool:
    """A boolean, also from the strings "true"/"false" in any case (Entra sends "False")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidValue(f"{attr!r} must be a boolean (true or false), not {value!r}.")


def as_text(value: Any, attr: str) -> str:
    """A string attribute; null clears it. Numbers are accepted (Okta sends some as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise InvalidValue(f"{attr!r} must be a string, not a boolean.")
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str):
        raise InvalidValue(f"{attr!r} must be a string, not {type(value).__name__}.")
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL: refused here rather than failing in the database.
        raise InvalidValue(f"{attr!r} contains a NUL character.")
    return value


def as_string(value: Any, attr: str) -> str:
    """A string attribute that must be a JSON string (userName): a number, list or object is
    InvalidValue, never stored as its text."""
    if not isinstance(value, str):
        kind = {bool: "a boolean", type(None): "null"}.get(type(value), type(value).__name__)
        raise InvalidValue(f"{attr!r} must be a string, not {kind}.")
    return as_text(value, attr)


def as_object(value: Any, attr: str) -> dict[str, Any]:
    """An object attribute; null or "" clears it (Okta's "push empty values" sends either)."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise InvalidValue(f"{attr!r} must be an object.")
    return value


def operations_parse(body: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    """(op, path, value) triples of a PatchOp body, ops lower-cased (Entra sends "Replace")."""
    operations = get_ci(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidSyntax("A PATCH body needs a non-empty 'Operations' array.")
    limit = settings.SCIM_PATCH_MAX_OPERATIONS
    if len(operations) > limit:
        raise InvalidValue(
            f"A PATCH may carry at most {limit} operations; this one has {len(operations)}."
        )
    parsed = []
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict):
            raise InvalidSyntax(f"Operation {index} is not an object.")
        op = get_ci(operation, "op")
        if not isinstance(op, str) or op.lower() not in VALID_OPS:
            raise InvalidSyntax(f"Operation {index} needs 'op' add, remove or replace, not {op!r}.")
        path = get_ci(operation, "path")
        if path is not None and not isinstance(path, str):
            raise InvalidPath(f"Operation {index} has a non-string 'path'.")
        parsed.append((op.lower(), path or None, get_ci(operation, "value")))
    return parsed
