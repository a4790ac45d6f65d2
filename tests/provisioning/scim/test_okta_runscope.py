"""Okta's own SCIM 2.0 SPEC tests, replayed as published (Runscope exports, untouched).

Each request step is sent through the full stack with the real token and Okta's headers,
and every assertion of the file is evaluated the way Runscope does (values compared as
strings). The two JavaScript post-response scripts are translated below; a script this file
does not know fails the test, so a new version of Okta's file cannot pass unread.
"""

import hashlib
import json
import random
import re
import string
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from accounts.actor import Actor
from accounts.models import Person
from accounts.services.people import EmailData, person_create

HERE = Path(__file__).resolve().parent / "okta"
# sha256 of the published files (see shared/reference/okta-tests/README.md).
FILES = {
    "Okta-SCIM-20-SPEC-Test.json": (
        "a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899"
    ),
    "Okta-SCIM-20-SPEC-Test-old.json": (
        "f82e817ee3612a55706b0150d7d90878142f566ee70fe986bb26bca542ddae2b"
    ),
}

pytestmark = pytest.mark.django_db


def initial_variables(token: str) -> dict[str, str]:
    """What Okta's Initial_Script_Spec.txt sets, plus the two user-set variables."""
    given = "Runscope" + "".join(random.choices(string.digits, k=3))
    family = (
        random.choice(string.ascii_uppercase)
        + "".join(random.choices(string.ascii_lowercase, k=8))
        + "".join(random.choices(string.digits, k=3))
    )
    email = f"{given}{family}@atko.com"
    return {
        "SCIMBaseURL": "http://testserver/scim/v2",
        "auth": f"Bearer {token}",
        "randomGivenName": given,
        "randomFamilyName": family,
        "randomEmail": email,
        "randomUsername": email,
        "randomUsernameCaps": email.upper(),
        "InvalidUserEmail": "abcdefgh@atko.com",
        "UserIdThatDoesNotExist": "010101001010101011001010101011",
    }


def substitute(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"{{(\w+)}}", lambda m: variables[m.group(1)], text)


def lookup(doc: Any, prop: str) -> Any:
    """Runscope's JSON property path: `Resources[0].name.familyName`."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", prop):
        if part.startswith("["):
            index = int(part[1:-1])
            doc = doc[index] if isinstance(doc, list) and index < len(doc) else None
        else:
            doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def as_runscope_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def check(
    assertion: dict[str, Any], status: int, body: Any, elapsed_ms: float, variables: dict
) -> None:
    comparison = assertion["comparison"]
    expected = substitute(assertion["value"], variables) if assertion.get("value") else None
    source = assertion["source"]
    actual: Any
    if source == "response_status":
        actual = status
    elif source == "response_time":
        actual = elapsed_ms
    else:
        actual = lookup(body, assertion["property"])
    where = f"{source} {assertion.get('property') or ''}".strip()
    if comparison == "equal_number":
        assert float(actual) == float(expected), f"{where}: {actual!r} != {expected}"
    elif comparison == "equal":
        assert as_runscope_text(actual) == expected, f"{where}: {actual!r} != {expected!r}"
    elif comparison == "not_empty":
        assert as_runscope_text(actual) != "", f"{where} is empty"
    elif comparison == "has_value":
        assert isinstance(actual, list) and expected in actual, (
            f"{where}: {actual!r} lacks {expected!r}"
        )
    elif comparison == "contains":
        assert expected in as_runscope_text(actual) or (
            isinstance(actual, list) and expected in actual
        )
    elif comparison == "is_a_number":
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), (
            f"{where}: {actual!r}"
        )
    elif comparison == "is_less_than":
        assert float(actual) < float(expected), f"{where}: {actual} >= {expected}"
    else:
        raise AssertionError(f"Unknown Runscope comparison {comparison!r}")


def run_script(script: str, body: Any, variables: dict[str, str]) -> None:
    if not script.strip():
        return
    if "Array.isArray(res)" in script:
        # "No Groups found" passes; otherwise Resources must be an array.
        assert body["totalResults"] == 0 or isinstance(body["Resources"], list)
    elif "data.userName.toLowerCase()" in script:
        assert isinstance(body["userName"], str)
        assert body["userName"].lower() != variables["randomUsername"]
    else:
        raise AssertionError(f"Untranslated Runscope script: {script[:80]!r}")


def django_headers(headers: dict[str, list[str]], variables: dict[str, str]) -> dict[str, str]:
    meta = {}
    for name, values in headers.items():
        value = substitute(values[0], variables)
        if name.lower() == "content-type":
            meta["CONTENT_TYPE"] = value
        else:
            meta["HTTP_" + name.upper().replace("-", "_")] = value
    return meta


@pytest.mark.parametrize("filename", sorted(FILES))
def test_okta_spec_test_passes_as_published(filename, org, scim_token, other_org):
    raw = (HERE / filename).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == FILES[filename], "Okta's file was modified"
    suite = json.loads(raw)
    # Okta's precondition: at least one user exists (with the fields step 1 reads).
    person_create(
        org=org,
        user_name="first.user@example.com",
        given_name="First",
        family_name="User",
        emails=[EmailData("first.user@example.com", "work", True)],
        actor=Actor.scim(),
    )
    person_create(
        org=other_org,
        user_name="hidden@globex.example.com",
        given_name="Hidden",
        actor=Actor.system(),
    )
    variables = initial_variables(scim_token)
    client = Client()
    requests = [s for s in suite["steps"] if s["step_type"] == "request"]
    assert len(requests) == (12 if filename == "Okta-SCIM-20-SPEC-Test.json" else 10)
    for step in requests:
        url = substitute(step["url"], variables).replace("http://testserver", "")
        path, _, query = url.partition("?")
        url = path + ("?" + quote(query, safe="=&") if query else "")
        body = substitute(step.get("body") or "", variables)
        meta = django_headers(step.get("headers") or {}, variables)
        content_type = meta.pop("CONTENT_TYPE", "application/octet-stream")
        started = time.monotonic()
        response = client.generic(step["method"], url, body, content_type=content_type, **meta)
        elapsed_ms = (time.monotonic() - started) * 1000
        doc = json.loads(response.content) if response.content else None
        for assertion in step.get("assertions", []):
            try:
                check(assertion, response.status_code, doc, elapsed_ms, variables)
            except AssertionError as exc:
                raise AssertionError(f"{step['note']}: {exc}\n{response.content[:500]!r}") from exc
        for script in step.get("scripts", []):
            run_script(script, doc, variables)
        for variable in step.get("variables", []):
            variables[variable["name"]] = as_runscope_text(lookup(doc, variable["property"]))
    # The run created exactly its one random user, in the token's org only.
    assert Person.objects.filter(org=org, user_name=variables["randomUsername"]).count() == 1
    assert not Person.objects.filter(org=other_org, user_name=variables["randomUsername"]).exists()
