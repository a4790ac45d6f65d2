"""Running management commands in tests: their stdout, and refusals that must change nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account, AuditEvent, Group, Membership, Organization, Person
from sso.models import SSOConnection


def database_state() -> dict[str, object]:
    """Everything a command could change, to prove a refused command changed nothing."""
    return {
        "orgs": list(Organization.objects.order_by("slug").values_list("slug", "name")),
        "accounts": list(Account.objects.order_by("email").values_list("email", "password")),
        "memberships": list(
            Membership.objects.order_by("id").values_list("account_id", "org_id", "role")
        ),
        "sso": list(
            SSOConnection.objects.order_by("org_id").values_list(
                "org_id", "state", "idp_entity_id", "sso_url", "signing_certificate"
            )
        ),
        "people": Person.objects.count(),
        "groups": Group.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    """Run a command that must fail; return its one-line message after checking nothing moved."""
    before = database_state()
    with pytest.raises(CommandError) as excinfo:
        call(*args)
    assert database_state() == before
    message = str(excinfo.value)
    assert "\n" not in message
    return message
