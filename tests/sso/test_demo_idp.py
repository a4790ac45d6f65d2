"""The demo IdP of `make run`: a real signed SAML round trip for the demo org under
DJANGO_DEBUG=1, and impossible anywhere else (its private key is in the repository)."""

import re
from html import unescape

import pytest
from django.test import Client

from accounts.actor import Actor
from accounts.models import Organization
from sso.demo_idp import demo_response
from sso.services import sso_configure, sso_demo_settings
from tests.commands import call
from tests.sso.support import SP, authn_request, post_acs, refusals, signed_in

pytestmark = pytest.mark.django_db

DEMO = SP("demo")
ADA = "ada.lovelace@demo.kisiscim.local"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call("seed_demo")
    return Organization.objects.get(slug="demo")


def _saml_response(page: str) -> tuple[str, str]:
    action = re.search(r'<form method="post" action="([^"]+)" data-autosubmit>', page)
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', page)
    assert action and value, page[:800]
    return unescape(action.group(1)), unescape(value.group(1))


def _demo_sign_in(client: Client, who: str, *, identifier: str) -> object:
    """Sign in with SSO from the sign-in page, through the demo IdP, as `who`."""
    start = client.post("/login/sso/", {"identifier": identifier})
    assert (start.status_code, start["Location"]) == (302, "/saml/demo/login/")
    to_idp = client.get(start["Location"])
    assert to_idp.status_code == 302
    assert to_idp["Location"].startswith("http://testserver/saml/demo/demo-idp/?SAMLRequest=")
    _, request = authn_request(to_idp["Location"])
    assert request["AssertionConsumerServiceURL"] == DEMO.acs
    idp_page = client.get(to_idp["Location"])
    assert idp_page.status_code == 200
    html = idp_page.content.decode()
    for listed in (
        "owner@demo.kisiscim.local",
        "admin@demo.kisiscim.local",
        ADA,
        "Person (suspended)",
    ):
        assert listed in html
    saml_request = re.search(r'name="SAMLRequest" value="([^"]+)"', html).group(1)
    posted = client.post(
        "/saml/demo/demo-idp/", {"who": who, "SAMLRequest": unescape(saml_request)}
    )
    assert posted.status_code == 200
    action, saml_response = _saml_response(posted.content.decode())
    assert action == DEMO.acs
    return client.post("/saml/demo/acs/", {"SAMLResponse": saml_response})


def test_a_demo_person_signs_in_through_the_demo_idp_and_lands_on_my_access(demo):
    client = Client()
    response = _demo_sign_in(client, ADA, identifier=ADA)
    assert (response.status_code, response["Location"]) == (302, "/me/")
    page = client.get("/me/").content.decode()
    assert "Ada Lovelace" in page
    assert "HQ Front Door" in page


def test_the_demo_admin_signs_in_through_the_demo_idp_to_the_console(demo):
    client = Client()
    response = _demo_sign_in(client, "admin@demo.kisiscim.local", identifier="demo")
    assert (response.status_code, response["Location"]) == (302, "/o/demo/")
    assert client.get("/o/demo/").status_code == 200


def test_a_suspended_demo_person_is_refused(demo):
    client = Client()
    response = _demo_sign_in(client, "edsger.dijkstra@demo.kisiscim.local", identifier="demo")
    assert response.status_code == 403
    assert not signed_in(client)


def test_the_demo_idp_answers_idp_initiated_too(demo):
    client = Client()
    page = client.get("/saml/demo/demo-idp/")
    assert "IdP-initiated" in page.content.decode()
    posted = client.post("/saml/demo/demo-idp/", {"who": ADA})
    _, saml_response = _saml_response(posted.content.decode())
    assert client.post("/saml/demo/acs/", {"SAMLResponse": saml_response})["Location"] == "/me/"


def test_the_demo_idp_is_impossible_in_production(demo, settings):
    # A response signed with the public demo key while DEBUG was on...
    saml_response = demo_response(
        org=demo,
        email=ADA,
        given_name="Ada",
        family_name="Lovelace",
        audience=DEMO.entity_id,
        acs_url=DEMO.acs,
        in_response_to=None,
    )
    settings.DEBUG = False
    client = Client()
    # ... is refused once DEBUG is off, before anything else is looked at;
    response = post_acs(client, "demo", saml_response)
    assert response.status_code == 403
    assert "demo identity provider" in response.content.decode()
    assert not signed_in(client)
    assert refusals(demo) == ["demo_idp"]
    # the demo IdP's page is not there, and it signs nothing;
    assert client.get("/saml/demo/demo-idp/").status_code == 404
    assert client.post("/saml/demo/demo-idp/", {"who": ADA}).status_code == 404
    with pytest.raises(PermissionError):
        demo_response(
            org=demo,
            email=ADA,
            given_name="",
            family_name="",
            audience=DEMO.entity_id,
            acs_url=DEMO.acs,
            in_response_to=None,
        )
    # and SP-initiated sign-in goes to the stored placeholder SSO URL, not to this server.
    location = client.get("/saml/demo/login/")["Location"]
    assert location.startswith("https://idp.demo.kisiscim.invalid/saml2/sso?SAMLRequest=")


def test_the_demo_idp_is_for_the_demo_org_only_even_in_debug(demo, make_org, settings):
    """Another org configured with the demo metadata (sso_configure --demo) trusts a public
    key: its demo-signed responses are refused and no demo IdP page is served for it."""
    acme = make_org("acme", sso=False)
    sso_configure(org=acme, settings=sso_demo_settings(), actor=Actor.system(), enable=True)
    acme_sp = SP("acme")
    forged = demo_response(
        org=demo,
        email="owner@acme.example.com",
        given_name="",
        family_name="",
        audience=acme_sp.entity_id,
        acs_url=acme_sp.acs,
        in_response_to=None,
    )
    client = Client()
    response = post_acs(client, "acme", forged)
    assert response.status_code == 403
    assert refusals(acme) == ["demo_idp"]
    assert not signed_in(client)
    assert client.get("/saml/acme/demo-idp/").status_code == 404


def test_the_demo_person_unlocks_a_door_until_scim_deactivates_them(demo):
    """make run's story end to end: Ada signs in through the demo IdP, unlocks a door from
    My access; Okta deactivates her; her next unlock is a denial (person_suspended), recorded,
    and she is signed out."""
    from access.models import AccessEvent
    from tests.provisioning.scim.client import PATCH_OP, ScimClient, issue_token

    client = Client()
    _demo_sign_in(client, ADA, identifier=ADA)
    page = client.get("/me/").content.decode()
    lobby = re.search(r'data-door="Lobby">.*?action="(/me/doors/[^"]+/unlock/)"', page, re.S)
    assert lobby, page
    unlocked = client.post(lobby.group(1), {"from": "me"})
    assert (unlocked.status_code, unlocked["Location"]) == (302, "/me/")
    assert "Lobby unlocked." in client.get("/me/").content.decode()
    event = AccessEvent.objects.filter(person__user_name=ADA).latest("id")
    assert (event.decision, event.reason, event.source) == ("allow", "allowed", "web")

    person = demo.people.get(user_name=ADA)
    scim = ScimClient(issue_token(demo))
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    assert scim.patch(f"Users/{person.scim_id}", body).status == 200

    denied = client.post(lobby.group(1), {"from": "me"})
    assert denied.status_code == 403
    event = AccessEvent.objects.filter(person__user_name=ADA).latest("id")
    assert (event.decision, event.reason, event.source) == ("deny", "person_suspended", "web")
    assert client.get("/me/").status_code == 302  # signed out
