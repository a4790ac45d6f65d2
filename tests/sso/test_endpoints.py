"""The org's SP endpoints as an IdP and a browser see them: the metadata (valid SAML SP
metadata on the request's scheme and host), SP-initiated login, and the owner-only pages."""

import pytest
from django.test import Client
from lxml import etree

from accounts.actor import Actor
from sso.models import SAMLRequest
from sso.services import sso_configure, sso_metadata_parse
from tests.sso.support import authn_request, idp_trust

pytestmark = pytest.mark.django_db

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def test_sp_metadata_is_saml_sp_metadata_with_this_orgs_urls(org, client, idp):
    response = client.get("/saml/acme/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{MD}}}EntityDescriptor"
    assert root.get("entityID") == "http://testserver/saml/acme/metadata/"
    sp = root.find(f"{{{MD}}}SPSSODescriptor")
    assert sp.get("WantAssertionsSigned") == "true"
    acs = sp.find(f"{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == "http://testserver/saml/acme/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert sp.findtext(f"{{{MD}}}NameIDFormat") == (
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    )
    # Another SAML implementation (pysaml2's metadata store) reads it as an SP's.
    idp.register_sp(response.content.decode())
    services = idp.server.metadata.assertion_consumer_service(
        "http://testserver/saml/acme/metadata/"
    )
    assert [s["location"] for s in services] == ["http://testserver/saml/acme/acs/"]


def test_sp_metadata_behind_a_tls_proxy_is_https(org, client):
    response = client.get(
        "/saml/acme/metadata/", HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https"
    )
    root = etree.fromstring(response.content)
    assert root.get("entityID") == "https://testserver/saml/acme/metadata/"


def test_sp_metadata_is_served_before_the_idp_is_configured(make_org, client):
    make_org("initech", sso=False)
    assert client.get("/saml/initech/metadata/").status_code == 200


def test_unknown_orgs_have_no_saml_endpoints(client, db):
    assert client.get("/saml/nope/metadata/").status_code == 404
    assert client.get("/saml/nope/login/").status_code == 404
    assert client.post("/saml/nope/acs/", {"SAMLResponse": "x"}).status_code == 404


def test_login_redirects_to_the_idp_with_an_authn_request_kept_server_side(org, client, idp):
    idp_trust(org, idp)
    response = client.get("/saml/acme/login/?next=/o/acme/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(idp.sso_url + "?SAMLRequest=")
    request_id, request = authn_request(response["Location"])
    assert request["AssertionConsumerServiceURL"] == "http://testserver/saml/acme/acs/"
    assert request["Destination"] == idp.sso_url
    assert request["RelayState"] == "/o/acme/people/"
    pending = SAMLRequest.objects.get(request_id=request_id)
    assert (pending.org, pending.next_path, pending.consumed_at) == (org, "/o/acme/people/", None)
    # Nothing about the request travels in the session cookie.
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("next_path", ["https://evil.example.com/", "//evil.example.com", "me"])
def test_login_keeps_next_as_a_relative_path_only(org, client, idp, next_path):
    idp_trust(org, idp)
    response = client.get("/saml/acme/login/", {"next": next_path})
    request_id, request = authn_request(response["Location"])
    assert SAMLRequest.objects.get(request_id=request_id).next_path == ""
    assert request["RelayState"] == "/"


def test_login_for_an_org_without_sso_says_so(make_org, client):
    make_org("initech", sso=False)
    response = client.get("/saml/initech/login/")
    assert response.status_code == 404
    assert "Single sign-on is not enabled for Org initech." in response.content.decode()


def test_the_idp_sso_url_must_be_https_unless_the_loopback_allowance_is_on(org, settings, idp):
    """The loopback allowance (tests only) admits http://127.0.0.1 and nothing else."""
    from django.core.exceptions import ValidationError

    from tests.sso.idp import metadata_xml

    for url in ("http://127.0.0.1:8081/sso", "http://idp.example.com/sso"):
        with pytest.raises(ValidationError, match="https://"):
            sso_metadata_parse(metadata_xml(sso_url=url))
    settings.SSO_ALLOW_LOOPBACK_IDP = True
    assert sso_metadata_parse(metadata_xml(sso_url="http://127.0.0.1:8081/sso")).sso_url
    with pytest.raises(ValidationError, match="https://"):
        sso_metadata_parse(metadata_xml(sso_url="http://idp.example.com/sso"))
    assert settings.SSO_ALLOW_LOOPBACK_IDP is True


def test_metadata_with_two_signing_certificates_keeps_both(org):
    from tests.sso.idp import certificate_pem, metadata_xml

    first, second = certificate_pem(), certificate_pem(days_valid=700)
    xml = metadata_xml(pem=first).replace(
        b"</md:KeyDescriptor>",
        b"</md:KeyDescriptor>"
        + metadata_xml(pem=second)
        .split(b'<md:KeyDescriptor use="signing">')[1]
        .split(b"</md:KeyDescriptor>")[0]
        .join([b'<md:KeyDescriptor use="signing">', b"</md:KeyDescriptor>"]),
        1,
    )
    sso = sso_configure(org=org, settings=sso_metadata_parse(xml), actor=Actor.system())
    assert len(sso.certificates) == 2
    assert sso.certificate_2_not_after > sso.certificate_not_after


def test_the_test_sign_in_is_the_owners_only(org, other_org, admin_client_org, client):
    other_owner = Client()
    from accounts.models import Membership

    other_owner.force_login(Membership.objects.get(org=other_org, role="owner").account)
    assert admin_client_org.post("/saml/acme/test/").status_code == 403
    assert other_owner.post("/saml/acme/test/").status_code == 403
    assert client.post("/saml/acme/test/")["Location"].startswith("/login/")
    assert SAMLRequest.objects.count() == 0
