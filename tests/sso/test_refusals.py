"""The negative suite: every response that must not sign anyone in. Each refusal answers a
clear 400/403 page, leaves no session and writes one audit event with the reason.

The responses come from pysaml2's IdP (another SAML implementation) or are edited copies of
valid ones (tests/sso/forgery.py); the assertions are on what the product answers only (the
status, the page, the session, the audit trail), so the SP's SAML library can be swapped.
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from accounts.actor import Actor
from accounts.services.people import EmailData, person_create, person_idp_delete, person_suspend
from sso.services import sso_options_set
from tests.sso import forgery
from tests.sso.saml_idp import SHA1, SamlIdP, b64
from tests.sso.support import SP, post_acs, refusals, sign_ins, signed_in, sp_initiated

pytestmark = pytest.mark.django_db

ACME = SP("acme")
GLOBEX = SP("globex")
ADA = "ada@acme.example.com"
MALLORY = "mallory@acme.example.com"


def for_acme(idp: SamlIdP, **kwargs) -> str:
    return idp.response_xml(
        **{"sp_entity_id": ACME.entity_id, "acs_url": ACME.acs, "email": ADA, **kwargs}
    )


def assert_refused(client: Client, response, org, reason: str, status: int, text: str) -> None:
    assert response.status_code == status, response.content[:500]
    assert text in response.content.decode()
    assert "Sign-in refused" in response.content.decode()
    assert not signed_in(client)
    assert response.cookies.get("sessionid") is None
    assert refusals(org) == [reason]
    assert sign_ins(org) == []
    assert client.get("/me/").status_code == 302


UNVERIFIED = "could not be verified, so nobody was signed in"


@pytest.fixture
def mallory(acme):
    """Another active person: the one a forgery tries to become."""
    return person_create(org=acme, user_name=MALLORY, actor=Actor.scim())


def test_signed_by_another_key(acme, ada, rogue_idp, client):
    response = post_acs(client, "acme", b64(for_acme(rogue_idp)))
    assert_refused(client, response, acme, "signature_invalid", 400, UNVERIFIED)


def test_unsigned(acme, ada, idp, client):
    response = post_acs(client, "acme", b64(for_acme(idp, sign_assertion=False)))
    assert_refused(client, response, acme, "unsigned", 400, UNVERIFIED)


def test_only_the_response_signed_is_not_enough(acme, ada, idp, client):
    xml = for_acme(idp, sign_assertion=False, sign_response=True)
    assert_refused(client, post_acs(client, "acme", b64(xml)), acme, "unsigned", 400, UNVERIFIED)


def test_sha1(acme, ada, idp, client):
    response = post_acs(client, "acme", b64(for_acme(idp, algs=SHA1)))
    assert_refused(client, response, acme, "deprecated_algorithm", 400, UNVERIFIED)


def test_wrong_audience(acme, ada, idp, client):
    """A response for globex's SP (its audience, its ACS) posted to acme's ACS."""
    xml = idp.response_xml(sp_entity_id=GLOBEX.entity_id, acs_url=GLOBEX.acs, email=ADA)
    response = post_acs(client, "acme", b64(xml))
    assert response.status_code == 400
    assert refusals(acme) in (["audience"], ["destination"])
    assert not signed_in(client)


def test_wrong_audience_alone(acme, ada, idp, client):
    """Only the audience is wrong: globex's entity ID, acme's ACS."""
    xml = idp.response_xml(sp_entity_id=GLOBEX.entity_id, acs_url=ACME.acs, email=ADA)
    assert_refused(client, post_acs(client, "acme", b64(xml)), acme, "audience", 400, UNVERIFIED)


def test_wrong_destination(acme, ada, idp, client):
    xml = for_acme(idp, destination=GLOBEX.acs)
    assert_refused(client, post_acs(client, "acme", b64(xml)), acme, "destination", 400, UNVERIFIED)


def test_wrong_recipient_with_the_destination_removed(acme, ada, idp, client):
    xml = forgery.drop_destination(for_acme(idp, destination=GLOBEX.acs))
    response = post_acs(client, "acme", b64(xml))
    assert_refused(client, response, acme, "subject_confirmation", 400, UNVERIFIED)


def test_another_orgs_response_on_this_orgs_acs(acme, other_org, idp, client):
    """A valid response for globex (its person, its audience) replayed on acme's ACS."""
    person_create(org=other_org, user_name=ADA, actor=Actor.scim())
    xml = idp.response_xml(sp_entity_id=GLOBEX.entity_id, acs_url=GLOBEX.acs, email=ADA)
    response = post_acs(client, "acme", b64(xml))
    assert response.status_code == 400
    assert not signed_in(client)
    assert len(refusals(acme)) == 1
    # ... and on globex's own ACS the same response works.
    assert post_acs(Client(), "globex", b64(xml)).status_code == 302


def test_expired(acme, ada, idp, client):
    response = post_acs(client, "acme", b64(for_acme(idp, lifetime_minutes=-10)))
    assert_refused(client, response, acme, "expired", 400, "It has expired")


def test_not_valid_yet_beyond_two_minutes_of_skew(acme, ada, idp):
    xml = for_acme(idp)
    # This server's clock is 3 minutes behind the IdP's.
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)):
        client = Client()
        response = post_acs(client, "acme", b64(xml))
    assert_refused(client, response, acme, "not_yet_valid", 400, "It is not valid yet")


def test_one_minute_of_skew_is_accepted(acme, ada, idp):
    xml = for_acme(idp)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)):
        client = Client()
        assert post_acs(client, "acme", b64(xml)).status_code == 302
    assert signed_in(client)


def test_replayed(acme, ada, idp):
    saml_response = b64(for_acme(idp))
    assert post_acs(Client(), "acme", saml_response).status_code == 302
    client = Client()
    response = post_acs(client, "acme", saml_response)
    assert response.status_code == 400
    assert "was used before" in response.content.decode()
    assert not signed_in(client)
    assert refusals(acme) == ["replay"]


@pytest.mark.parametrize(
    "wrap",
    [
        forgery.wrap_evil_before,
        forgery.wrap_evil_after,
        forgery.wrap_signed_inside_evil,
        forgery.wrap_signed_in_extensions,
        forgery.wrap_same_id,
    ],
)
@pytest.mark.parametrize("sign_response", [False, True])
def test_signature_wrapping(acme, ada, mallory, idp, client, wrap, sign_response):
    """An unsigned assertion for mallory injected beside, around or instead of ada's signed
    one (CVE-2020-5390 / CVE-2021-21238 class): refused, nobody signed in."""
    xml = wrap(for_acme(idp, sign_response=sign_response), MALLORY)
    response = post_acs(client, "acme", b64(xml))
    assert response.status_code == 400
    assert UNVERIFIED in response.content.decode()
    assert not signed_in(client)
    # Which check catches it may differ between SAML libraries; any of these is a refusal of
    # the wrapped structure, never "not allowed" (which would mean mallory was read).
    assert refusals(acme) in (["assertion_count"], ["signature_invalid"], ["schema"])
    assert sign_ins(acme) == []


def test_a_tampered_name_id(acme, ada, mallory, idp, client):
    xml = forgery.tamper_name_id(for_acme(idp), MALLORY)
    assert_refused(
        client, post_acs(client, "acme", b64(xml)), acme, "signature_invalid", 400, UNVERIFIED
    )


def test_name_id_comment_injection_reads_the_whole_name_id(acme, ada, idp, client):
    """CVE-2017-11427 class: the IdP signed "ada@acme.example.com.evil.test" (an address
    the attacker owns); the comment makes a naive reader see "ada@acme.example.com". The
    whole NameID is read: nobody of that name exists, so the sign-in is refused."""
    real = ADA + ".evil.test"
    xml = forgery.inject_comment(for_acme(idp, email=real), real=real, shown=ADA)
    response = post_acs(client, "acme", b64(xml))
    assert_refused(client, response, acme, "not_allowed", 403, "You are not allowed to sign in")


@pytest.mark.parametrize(
    ("relay_state", "status"),
    [
        ("https://evil.example.com/", 400),
        ("//evil.example.com/path", 400),
        ("/\\evil.example.com", 400),
        ("javascript:alert(1)", 400),
        ("me/", 400),
    ],
)
def test_off_site_relay_state(acme, ada, idp, client, relay_state, status):
    response = post_acs(client, "acme", b64(for_acme(idp)), relay_state=relay_state)
    assert_refused(client, response, acme, "relay_state", status, "another site")


def test_unknown_in_response_to(acme, ada, idp, client):
    """A response to an AuthnRequest this service never sent."""
    response = post_acs(client, "acme", b64(for_acme(idp, in_response_to="_never-sent")))
    assert_refused(client, response, acme, "unknown_request", 400, "expired or was already")


def test_in_response_to_another_orgs_request(acme, ada, idp, client):
    request_id = sp_initiated(Client(), "globex")
    response = post_acs(client, "acme", b64(for_acme(idp, in_response_to=request_id)))
    assert_refused(client, response, acme, "unknown_request", 400, "expired or was already")


def test_a_request_is_answered_once(acme, ada, idp):
    request_id = sp_initiated(Client(), "acme")
    assert (
        post_acs(Client(), "acme", b64(for_acme(idp, in_response_to=request_id))).status_code == 302
    )
    client = Client()
    response = post_acs(client, "acme", b64(for_acme(idp, in_response_to=request_id)))
    assert response.status_code == 400
    assert refusals(acme) == ["unknown_request"]
    assert not signed_in(client)


def test_a_request_expires_after_fifteen_minutes(acme, ada, idp):
    request_id = sp_initiated(Client(), "acme")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        xml = for_acme(idp, in_response_to=request_id)
        client = Client()
        response = post_acs(client, "acme", b64(xml))
    assert response.status_code == 400
    assert refusals(acme) == ["unknown_request"]


def test_removing_in_response_to_does_not_make_it_unsolicited(acme, ada, idp, client, owner):
    """Response/@InResponseTo lies outside an assertion-only signature; the signed one in
    SubjectConfirmationData still ties the assertion to its request."""
    sso_options_set(org=acme, allow_idp_initiated=False, require_sso=False, actor=Actor.of(owner))
    request_id = sp_initiated(Client(), "acme")
    xml = forgery.drop_in_response_to(for_acme(idp, in_response_to=request_id))
    assert post_acs(client, "acme", b64(xml)).status_code == 302  # still SP-initiated


def test_idp_initiated_when_the_owner_turned_it_off(acme, ada, idp, client, owner):
    sso_options_set(org=acme, allow_idp_initiated=False, require_sso=False, actor=Actor.of(owner))
    response = post_acs(client, "acme", b64(for_acme(idp)))
    assert_refused(client, response, acme, "idp_initiated_disabled", 403, "app tile is turned off")
    # SP-initiated still works.
    request_id = sp_initiated(Client(), "acme")
    assert (
        post_acs(Client(), "acme", b64(for_acme(idp, in_response_to=request_id))).status_code == 302
    )


@pytest.mark.parametrize("fate", ["suspended", "deleted", "unknown"])
def test_people_who_may_not_sign_in_all_get_the_same_page(acme, idp, fate):
    if fate != "unknown":
        person = person_create(
            org=acme,
            user_name=ADA,
            emails=[EmailData(value=ADA, primary=True)],
            actor=Actor.scim(),
        )
        if fate == "suspended":
            person_suspend(person=person, actor=Actor.scim())
        else:
            person_idp_delete(person=person)
    client = Client()
    response = post_acs(client, "acme", b64(for_acme(idp)))
    assert_refused(
        client,
        response,
        acme,
        "not_allowed",
        403,
        "You are not allowed to sign in to Org acme. Ask your administrator for access.",
    )
    body = response.content.decode()
    for word in ("suspend", "delete", "unknown", "not found"):
        assert word not in body.lower()
    from accounts.models import AuditEvent

    event = AuditEvent.objects.get(org=acme, action="sso.sign_in_refused")
    assert event.details["why"] == fate


def test_a_person_of_another_org_is_unknown_here(acme, other_org, idp, client):
    person_create(org=other_org, user_name=ADA, actor=Actor.scim())
    response = post_acs(client, "acme", b64(for_acme(idp)))
    assert_refused(client, response, acme, "not_allowed", 403, "You are not allowed")


def test_name_id_not_an_email_format(acme, ada, idp, client):
    xml = for_acme(
        idp, name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient", email="x7Ab"
    )
    assert_refused(
        client, post_acs(client, "acme", b64(xml)), acme, "nameid_format", 400, "EmailAddress"
    )


def test_idp_error_status(acme, ada, idp, client):
    xml = forgery.set_status(for_acme(idp), "urn:oasis:names:tc:SAML:2.0:status:Responder")
    assert_refused(client, post_acs(client, "acme", b64(xml)), acme, "idp_error", 400, UNVERIFIED)


@pytest.mark.parametrize(
    "saml_response",
    [
        "",
        "%%%not-base64%%%",
        b64("hello"),
        b64(
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
        ),
        b64("<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>"),
        "A" * (600 * 1024),
    ],
    ids=["empty", "not-base64", "not-xml", "doctype", "empty-response", "too-large"],
)
def test_garbage_is_a_400_never_a_500(acme, client, saml_response):
    response = post_acs(client, "acme", saml_response)
    assert response.status_code == 400
    assert not signed_in(client)
    assert refusals(acme) in (["malformed"], ["invalid"])


def test_no_saml_response_field_at_all(acme, client):
    response = client.post("/saml/acme/acs/", {})
    assert response.status_code == 400
    assert refusals(acme) == ["malformed"]


def test_the_acs_of_an_unknown_org_is_a_404(client, idp):
    assert post_acs(client, "nope", "x").status_code == 404


def test_sso_not_enabled(acme, ada, idp, client, owner):
    from provisioning.services.scim_config import org_sso_disable

    org_sso_disable(org=acme, actor=Actor.of(owner))
    response = post_acs(client, "acme", b64(for_acme(idp)))
    assert_refused(client, response, acme, "sso_disabled", 403, "not enabled")


def test_a_refusal_keeps_an_existing_session_as_it_was(acme, ada, idp, owner):
    """A refused response does not sign the browser's account out, nor in as anyone else."""
    client = Client()
    client.force_login(owner)
    response = post_acs(client, "acme", b64(for_acme(idp, sign_assertion=False)))
    assert response.status_code == 400
    assert client.session["_auth_user_id"] == str(owner.pk)
