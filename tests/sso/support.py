"""Helpers for the SAML tests: the product's SP as a test client sees it (its metadata, its
AuthnRequests, its ACS), and what a sign-in left behind (session, audit trail). Nothing
here knows which SAML library the product uses."""

import base64
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from lxml import etree

from accounts.actor import Actor
from accounts.models import AuditEvent, Organization
from accounts.person_sessions import SESSION_KEY
from sso.services import sso_configure, sso_metadata_parse
from tests.sso.saml_idp import SamlIdP

BASE = "http://testserver"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"


@dataclass(frozen=True)
class SP:
    slug: str

    @property
    def entity_id(self) -> str:
        return f"{BASE}/saml/{self.slug}/metadata/"

    @property
    def acs(self) -> str:
        return f"{BASE}/saml/{self.slug}/acs/"


def sp_metadata(client: Client, slug: str) -> str:
    response = client.get(f"/saml/{slug}/metadata/")
    assert response.status_code == 200
    return response.content.decode()


def idp_trust(org: Organization, idp: SamlIdP, *, enable: bool = True) -> None:
    """Configure the org's SSO from the IdP's metadata, as an upload would."""
    sso_configure(
        org=org,
        settings=sso_metadata_parse(idp.metadata_xml()),
        actor=Actor.system(),
        enable=enable,
    )


def authn_request(location: str) -> tuple[str, dict[str, str]]:
    """(the AuthnRequest's ID, its attributes) from an HTTP-Redirect binding URL."""
    query = parse_qs(urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    root = etree.fromstring(xml)
    assert root.tag == f"{{{SAMLP}}}AuthnRequest"
    return root.get("ID"), dict(root.attrib) | {"RelayState": query.get("RelayState", [""])[0]}


def sp_initiated(client: Client, slug: str, *, next_path: str = "") -> str:
    """Start an SP-initiated sign-in; the AuthnRequest's ID."""
    url = f"/saml/{slug}/login/" + (f"?next={next_path}" if next_path else "")
    response = client.get(url)
    assert response.status_code == 302, response.content[:300]
    return authn_request(response["Location"])[0]


def post_acs(client: Client, slug: str, saml_response: str, relay_state: str | None = None):
    data = {"SAMLResponse": saml_response}
    if relay_state is not None:
        data["RelayState"] = relay_state
    return client.post(f"/saml/{slug}/acs/", data)


def signed_in(client: Client) -> bool:
    """Whether the client holds any session: an account's or a person's."""
    session = client.session
    return "_auth_user_id" in session or SESSION_KEY in session


def refusals(org: Organization) -> list[str]:
    return [
        e.details.get("reason")
        for e in AuditEvent.objects.filter(org=org, action="sso.sign_in_refused").order_by("id")
    ]


def sign_ins(org: Organization) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(org=org, action="sso.sign_in")
        .order_by("id")
        .values_list("actor_kind", "actor_label")
    )
