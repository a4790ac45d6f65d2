"""What of a SCIM request body the provisioning log stores: JSON with every secret replaced,
found the way the adapters find attributes, so no spelling of a path slips through.

A PATCH operation's `path` is parsed by `patch.path_parse`, the parser the adapters apply
(`" Password"`, `"password.value"`, `'password[value eq "a"]'` and `urn:…:User:password` all
name `password`); a path it cannot parse has its value redacted too (the adapter refuses it,
but the value may still be a secret). Attribute names (keys) are read the same way.
"""

import json
from typing import Any

from provisioning.scim.constants import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA
from provisioning.scim.errors import ScimError
from provisioning.scim.patch import get_ci, path_parse
from provisioning.services.log import MAX_STORED_BODY, REDACTED, SECRET_KEYS, redact_tokens

KNOWN_URIS = (USER_SCHEMA, ENTERPRISE_SCHEMA, GROUP_SCHEMA)
UNAUTHENTICATED_NOTE = "[not stored: the request was not authenticated]"


def _names_secret(name: Any, *, unparseable_is_secret: bool) -> bool:
    if not isinstance(name, str):
        return False
    try:
        parsed = path_parse(name, KNOWN_URIS)
    except ScimError:
        if unparseable_is_secret:
            return True
        return name.rsplit(":", 1)[-1].strip().lower() in SECRET_KEYS
    return parsed.attr in SECRET_KEYS


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        path = get_ci(value, "path")
        secret_op = path is not None and _names_secret(path, unparseable_is_secret=True)
        return {
            k: REDACTED
            if _names_secret(k, unparseable_is_secret=False)
            or (secret_op and isinstance(k, str) and k.lower() == "value")
            else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, str):
        return redact_tokens(value)
    return value


def redacted_body(raw: bytes) -> str:
    """The request body as stored: JSON with secrets replaced, or a note when not JSON."""
    if not raw:
        return ""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except RecursionError:
        return f"[{len(raw)} bytes, nested too deeply: not stored]"
    except (UnicodeDecodeError, ValueError):
        return f"[{len(raw)} bytes, not JSON: not stored]"
    try:
        text = json.dumps(_redact(doc), ensure_ascii=False)
    except RecursionError:
        return f"[{len(raw)} bytes, nested too deeply: not stored]"
    if len(text) > MAX_STORED_BODY:
        return text[:MAX_STORED_BODY] + f"… [truncated, {len(text)} characters in all]"
    return text


def body_for_log(request: Any, *, max_body_bytes: int) -> str:
    """What the log stores of this request's body. Nothing for an unauthenticated request
    (anyone can send one; it must not fill the disk), a note for an oversized one."""
    # A refused token (revoked, expired) authenticates nothing either, though the request is
    # logged in its org's log: what it sent is not the org's to keep.
    if getattr(request, "scim_org", None) is None or getattr(request, "scim_rejected", None):
        return (
            UNAUTHENTICATED_NOTE
            if request.META.get("CONTENT_LENGTH") not in (None, "", "0")
            else ""
        )
    try:
        body = request.body
    except Exception:  # RawPostDataException, RequestDataTooBig: never read it again
        body = b""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not body and declared.isdigit() and int(declared) > max_body_bytes:
        return f"[{declared} bytes: over the size limit, not stored]"
    return redacted_body(body)


# A read's answer is kept when it is small (a lookup, one resource, an error); the pages of an
# import (100 people, some 60 KB each) are not: storing them cost more than serving them,
# and they would keep every person's data in the log for its whole retention.
MAX_STORED_READ_ANSWER = 8 * 1024


def response_body_for_log(response: Any, *, method: str = "GET") -> str:
    """What the log stores of the answer's body: redacted and bounded like a request's; the
    answer to a successful read only up to MAX_STORED_READ_ANSWER bytes (a note otherwise)."""
    if getattr(response, "streaming", False):
        return ""
    content = response.content
    if method == "GET" and response.status_code < 400 and len(content) > MAX_STORED_READ_ANSWER:
        return (
            f"[{len(content):,} bytes: the answer to a read is stored up to "
            f"{MAX_STORED_READ_ANSWER:,} bytes]"
        )
    return redacted_body(content)
