"""The owner's Test sign-in: through the IdP and back to a report of what came back, signing
nobody in; usable before SSO is enabled."""

import pytest
from django.core import mail
from django.test import Client

from accounts.actor import Actor
from accounts.models import AuditEvent
from accounts.services.people import person_suspend
from sso.services import sso_configure, sso_metadata_parse
from tests.sso.saml_idp import b64
from tests.sso.support import SP, authn_request, post_acs, signed_in

pytestmark = pytest.mark.django_db

ACME = SP("acme")


def _start(owner_client) -> str:
    response = owner_client.post("/saml/acme/test/")
    assert response.status_code == 302
    return authn_request(response["Location"])[0]


def _answer(idp, request_id: str, email: str, **kwargs) -> object:
    """The IdP's answer, posted cross-site: no session cookie comes with it."""
    idp_browser = Client()
    response = post_acs(
        idp_browser,
        "acme",
        b64(
            idp.response_xml(
                sp_entity_id=ACME.entity_id,
                acs_url=ACME.acs,
                email=email,
                in_response_to=request_id,
                **kwargs,
            )
        ),
    )
    assert not signed_in(idp_browser)
    return response


def test_a_test_sign_in_reports_what_came_back_and_signs_nobody_in(acme, ada, idp, owner):
    owner_client = Client()
    owner_client.force_login(owner)
    request_id = _start(owner_client)
    response = _answer(idp, request_id, ada.user_name)
    assert response.status_code == 302
    assert response["Location"] == f"/saml/acme/test/{request_id}/"
    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "The response verified. It would sign in <b>ada@acme.example.com: My access</b>." in html
    assert "Nobody was signed in." in html
    assert 'data-testid="test-name-id">ada@acme.example.com<' in html
    assert "the first certificate (valid until" in html
    assert 'data-testid="test-skew">' in html
    assert "<h2>Attributes</h2>" in html and "Lovelace" in html
    assert not AuditEvent.objects.filter(action="sso.sign_in").exists()
    event = AuditEvent.objects.get(org=acme, action="sso.test_sign_in")
    assert (event.actor_label, event.details["would_sign_in"]) == (
        owner.email,
        "ada@acme.example.com: My access",
    )


def test_a_test_sign_in_says_why_a_response_would_be_refused(acme, ada, idp, rogue_idp, owner):
    owner_client = Client()
    owner_client.force_login(owner)
    request_id = _start(owner_client)
    response = _answer(rogue_idp, request_id, ada.user_name)
    html = owner_client.get(response["Location"]).content.decode()
    assert "The response did not verify: not signed by a configured certificate." in html
    person_suspend(person=ada, actor=Actor.scim())
    request_id = _start(owner_client)
    html = owner_client.get(_answer(idp, request_id, ada.user_name)["Location"]).content.decode()
    assert "it would be refused: no one allowed to sign in has this address (suspended)" in html


def test_a_test_sign_in_works_before_sso_is_enabled(make_org, idp, client):
    org = make_org("acme", sso=False)
    sso_configure(org=org, settings=sso_metadata_parse(idp.metadata_xml()), actor=Actor.system())
    idp.register_sp(client.get("/saml/acme/metadata/").content.decode())
    from accounts.models import Membership

    owner = Membership.objects.get(org=org, role="owner").account
    owner_client = Client()
    owner_client.force_login(owner)
    request_id = _start(owner_client)
    html = owner_client.get(_answer(idp, request_id, owner.email)["Location"]).content.decode()
    assert "It would sign in <b>owner@acme.example.com (Owner): the console</b>" in html
    # Ordinary sign-in stays off until SSO is enabled.
    assert Client().get("/saml/acme/login/").status_code == 404


def test_a_test_result_is_for_the_owner_who_started_it(acme, other_org, idp, owner, ada):
    owner_client = Client()
    owner_client.force_login(owner)
    request_id = _start(owner_client)
    _answer(idp, request_id, ada.user_name)
    from accounts.models import Membership

    other = Client()
    other.force_login(Membership.objects.get(org=other_org, role="owner").account)
    assert other.get(f"/saml/acme/test/{request_id}/").status_code == 403
    assert other.get(f"/saml/globex/test/{request_id}/").status_code == 404
    assert Client().get(f"/saml/acme/test/{request_id}/").status_code == 302


def test_a_test_request_cannot_sign_anyone_in_later(acme, ada, idp, owner):
    """A response to a test request is never a sign-in, even posted again."""
    owner_client = Client()
    owner_client.force_login(owner)
    request_id = _start(owner_client)
    saml_response = b64(
        idp.response_xml(
            sp_entity_id=ACME.entity_id,
            acs_url=ACME.acs,
            email=ada.user_name,
            in_response_to=request_id,
        )
    )
    post_acs(Client(), "acme", saml_response)
    again = Client()
    response = post_acs(again, "acme", saml_response)
    assert response.status_code == 400
    assert not signed_in(again)
    assert mail.outbox == []
