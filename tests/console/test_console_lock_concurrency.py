"""The console's lock against Okta's reactivation at the same instant, on PostgreSQL with
real threads and connections: whichever commits first, the person ends locked and
suspended, never active under a lock."""

import pytest
from django.db import connection

from accounts.actor import Actor
from accounts.models import ConsoleSuspension, Membership, Person
from provisioning.services.lifecycle import console_person_reactivate, console_person_suspend
from tests.provisioning.scim.client import PATCH_OP, ScimClient, issue_token, okta_user
from tests.provisioning.scim.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises all writers)")


def _active(active: bool) -> dict:
    return {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": active}}]}


def test_a_lock_and_okta_reactivating_at_once_end_locked_and_suspended(org):
    token = issue_token(org)
    owner = Membership.objects.get(org=org, role=Membership.Role.OWNER).account
    uid = ScimClient(token).post("Users", okta_user("ada@acme.example.com")).json["id"]
    for _ in range(5):
        assert ScimClient(token).patch(f"Users/{uid}", _active(False)).status == 200

        def work(i: int) -> object:
            if i == 0:
                person = Person.objects.get(scim_id=uid)
                console_person_suspend(person=person, reason="race", actor=Actor.of(owner))
                return "locked"
            return ScimClient(token).patch(f"Users/{uid}", _active(True)).status

        assert sorted(map(str, run_together(4, work))) == ["200", "200", "200", "locked"]
        person = Person.objects.get(scim_id=uid)
        assert ConsoleSuspension.objects.filter(person=person).exists()
        assert not person.is_active
        assert ScimClient(token).get(f"Users/{uid}").json["active"] is False
        console_person_reactivate(person=person, actor=Actor.of(owner))
