"""SAML sign-in that works: SP- and IdP-initiated, console accounts to the console, people to
My access; their sessions; a suspension ends a person's session at the next request."""

import pytest
from django.test import Client

from accounts.actor import Actor
from accounts.models import AuditEvent
from accounts.services.people import person_idp_delete, person_suspend
from tests.sso.support import SP, post_acs, sign_ins, signed_in, sp_initiated

pytestmark = pytest.mark.django_db

ACME = SP("acme")


def test_the_owner_signs_in_sp_initiated_and_lands_on_the_console(acme, owner, idp):
    client = Client()
    request_id = sp_initiated(client, "acme", next_path="/o/acme/people/")
    response = post_acs(
        client,
        "acme",
        idp.response(
            sp_entity_id=ACME.entity_id,
            acs_url=ACME.acs,
            email="Owner@ACME.example.com",
            in_response_to=request_id,
        ),
        relay_state="/o/acme/people/",
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/people/"
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert client.get("/o/acme/people/").status_code == 200
    assert sign_ins(acme) == [("account", owner.email)]


def test_a_person_signs_in_idp_initiated_and_sees_my_access(acme, ada, idp):
    client = Client()
    response = post_acs(
        client,
        "acme",
        idp.response(sp_entity_id=ACME.entity_id, acs_url=ACME.acs, email="ADA@acme.example.com"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert "_auth_user_id" not in client.session
    page = client.get("/me/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ada Lovelace" in html
    assert "ada@acme.example.com" in html
    assert 'data-testid="me-doors"' in html
    assert sign_ins(acme) == [("person", "ada@acme.example.com")]
    # A person's session opens no console page.
    assert client.get("/o/acme/").status_code == 302


def test_a_person_is_found_by_primary_email_too(acme, ada, idp):
    client = Client()
    post_acs(
        client,
        "acme",
        idp.response(
            sp_entity_id=ACME.entity_id,
            acs_url=ACME.acs,
            email="Ada.Lovelace@acme.example.com",
        ),
    )
    assert client.get("/me/").status_code == 200


@pytest.mark.parametrize("how", ["suspend", "idp_delete"])
def test_a_suspension_ends_the_persons_session_at_the_next_request(acme, ada, idp, how):
    client = Client()
    post_acs(
        client,
        "acme",
        idp.response(sp_entity_id=ACME.entity_id, acs_url=ACME.acs, email=ada.user_name),
    )
    assert client.get("/me/").status_code == 200
    if how == "suspend":
        person_suspend(person=ada, actor=Actor.scim())
    else:
        person_idp_delete(person=ada)
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not signed_in(client)


def test_my_access_without_a_session_goes_to_sign_in(client):
    response = client.get("/me/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/me/")


def test_sign_out_ends_the_persons_session(acme, ada, idp):
    client = Client()
    post_acs(
        client,
        "acme",
        idp.response(sp_entity_id=ACME.entity_id, acs_url=ACME.acs, email=ada.user_name),
    )
    assert client.post("/logout/").status_code == 302
    assert client.get("/me/").status_code == 302


def test_rollover_both_certificates_are_accepted(acme, ada, idp, rogue_idp, client):
    from sso.selectors import sso_get
    from sso.services import sso_configure, sso_settings_validate

    sso = sso_get(org=acme)
    sso_configure(
        org=acme,
        settings=sso_settings_validate(
            entity_id=sso.idp_entity_id,
            sso_url=sso.sso_url,
            certificate=idp.certificate,
            certificate_2=rogue_idp.certificate,
        ),
        actor=Actor.system(),
    )
    for signer in (idp, rogue_idp):
        fresh = Client()
        response = post_acs(
            fresh,
            "acme",
            signer.response(sp_entity_id=ACME.entity_id, acs_url=ACME.acs, email=ada.user_name),
        )
        assert response.status_code == 302
        assert signed_in(fresh)
    assert AuditEvent.objects.filter(org=acme, action="sso.sign_in").count() == 2
