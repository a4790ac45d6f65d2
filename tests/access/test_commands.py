"""`manage.py api_key SLUG --name NAME`: the key alone on the last stdout line, usable at once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from access.models import ApiKey
from accounts.models import AuditEvent
from tests.access.support import ApiClient

pytestmark = pytest.mark.django_db


def test_api_key_prints_the_key_alone_on_its_last_line(org):
    out, err = StringIO(), StringIO()
    call_command("api_key", "acme", "--name", "front reader", stdout=out, stderr=err)
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("kapi_") and " " not in raw
    key = ApiKey.objects.get(org=org)
    assert key.name == "front reader" and raw not in err.getvalue()
    assert ApiClient(raw).get("places").status == 200
    assert AuditEvent.objects.filter(
        org=org, action="api_key.created", actor_kind="system"
    ).exists()


def test_api_key_refuses_an_unknown_org_and_a_taken_name(org):
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        call_command("api_key", "nope", "--name", "x", stdout=StringIO(), stderr=StringIO())
    call_command("api_key", "acme", "--name", "x", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("api_key", "acme", "--name", "X", stdout=StringIO(), stderr=StringIO())
    assert ApiKey.objects.count() == 1
