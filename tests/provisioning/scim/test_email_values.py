"""Email values are validated (security review): a value that is not one plain address is a
400 invalidValue and changes nothing, and nothing is ever sent to an address that was not
validated, whatever is stored."""

import pytest
from django.core import mail

from accounts.models import Person, PersonEmail
from notifications.sending import Refused, person_email_send
from tests.provisioning.scim.client import okta_user
from tests.provisioning.scim.support import org_snapshot, patch

pytestmark = pytest.mark.django_db

BAD = [
    "javascript:alert(3)",
    "a@x.test, b@evil.test",
    "a@x.test\r\nBcc: b@evil.test",
    "a@x.test\nb@evil.test",
    "<a@x.test>",
    "Ada <a@x.test>",
    "not-an-address",
]


@pytest.mark.parametrize("value", BAD)
def test_a_bad_email_on_create_is_invalid_value(scim, org, value):
    body = okta_user("ada@example.com", emails=[{"value": value, "type": "work"}])
    r = scim.post("Users", body)
    assert r.status == 400
    assert r.json["scimType"] == "invalidValue"
    assert "email" in r.json["detail"].lower()
    assert not Person.objects.filter(org=org).exists()
    assert mail.outbox == []


@pytest.mark.parametrize("value", BAD)
def test_a_bad_email_in_a_patch_is_invalid_value(scim, org, value):
    uid = scim.post("Users", okta_user("ada@example.com")).json["id"]
    before = org_snapshot(org)
    operation = {"op": "replace", "path": 'emails[type eq "work"].value', "value": value}
    r = scim.patch(f"Users/{uid}", patch(operation))
    assert (r.status, r.json["scimType"]) == (400, "invalidValue")
    assert org_snapshot(org) == before


@pytest.mark.parametrize("value", BAD)
def test_a_bad_user_name_is_never_used_as_an_address(scim, org, value):
    body = okta_user(value.replace("\r", "").replace("\n", " "), emails=[])
    created = scim.post("Users", body)
    assert created.status == 201
    person = Person.objects.get(org=org)
    assert person_email_send(person_id=person.pk, kind="sign_in") == Refused.NO_ADDRESS
    assert mail.outbox == []


def test_an_unvalidated_stored_address_is_never_sent_to(scim, org):
    uid = scim.post("Users", okta_user("ada@example.com")).json["id"]
    mail.outbox.clear()
    # An address stored before validation existed (written past the services).
    PersonEmail.objects.filter(person__scim_id=uid).update(value="a@x.test, b@evil.test")
    person = Person.objects.get(scim_id=uid)
    assert person_email_send(person_id=person.pk, kind="sign_in") == Refused.NO_ADDRESS
    assert mail.outbox == []
