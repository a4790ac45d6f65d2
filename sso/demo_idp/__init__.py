"""The demo identity provider of `make run`: DEMO ONLY.

Its private key is published with the source (demo-only-private-key.pem), so anyone can sign
a response with it. The product therefore trusts it only where `demo_idp_allowed` holds:
DJANGO_DEBUG=1 and the demo organization (slug "demo"). Everywhere else the demo IdP's
pages answer 404 and the ACS refuses every response to an org that trusts its certificate,
whoever signed it (tests/sso/test_demo_idp.py).

The demo IdP is served by the product itself at /saml/demo/demo-idp/: the stored SSO URL of
the bundled metadata is a placeholder on a reserved domain that the login view swaps for it.
"""

import datetime as dt
import secrets
from functools import cache
from html import escape
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from accounts.models import Organization

DEMO_DIR = Path(__file__).resolve().parent
DEMO_METADATA_PATH = DEMO_DIR / "metadata.xml"
DEMO_KEY_PATH = DEMO_DIR / "demo-only-private-key.pem"
DEMO_ORG_SLUG = "demo"
DEMO_ENTITY_ID = "https://idp.demo.kisiscim.invalid/saml2"
ASSERTION_LIFETIME = dt.timedelta(minutes=5)


def demo_idp_allowed(org: Organization) -> bool:
    """Whether the demo IdP may sign people in to this org: development only, demo org only."""
    return bool(settings.DEBUG) and org.slug == DEMO_ORG_SLUG


@cache
def _demo_certificate() -> x509.Certificate:
    text = DEMO_METADATA_PATH.read_text()
    start = text.index("<ds:X509Certificate>") + len("<ds:X509Certificate>")
    body = "".join(text[start : text.index("</ds:X509Certificate>")].split())
    return x509.load_der_x509_certificate(OneLogin_Saml2_Utils.b64decode(body))


def demo_certificate_pem() -> str:
    return _demo_certificate().public_bytes(Encoding.PEM).decode()


def is_demo_certificate(pem: str) -> bool:
    """Whether `pem` is the demo IdP's certificate (whose private key is public)."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return False
    return cert.public_bytes(Encoding.DER) == _demo_certificate().public_bytes(Encoding.DER)


def _demo_key_pem() -> str:
    text = DEMO_KEY_PATH.read_text()
    return text[text.index("-----BEGIN") :]


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def demo_response(
    *,
    org: Organization,
    email: str,
    given_name: str,
    family_name: str,
    audience: str,
    acs_url: str,
    in_response_to: str | None,
) -> str:
    """A SAML Response for `email`, its assertion signed (RSA-SHA256) with the demo key, as
    base64 for the HTTP-POST binding. Refuses to sign where the demo IdP is not allowed."""
    if not demo_idp_allowed(org):
        raise PermissionError("The demo IdP signs only for the demo org with DJANGO_DEBUG=1.")
    now = dt.datetime.now(dt.UTC)
    irt = f' InResponseTo="{escape(in_response_to)}"' if in_response_to else ""
    attributes = "".join(
        f'<saml:Attribute Name="{name}"><saml:AttributeValue>{escape(value)}'
        "</saml:AttributeValue></saml:Attribute>"
        for name, value in (("email", email), ("givenName", given_name), ("sn", family_name))
        if value
    )
    assertion = (
        f'<saml:Assertion xmlns:saml="{C.NS_SAML}" ID="_{secrets.token_hex(20)}" '
        f'Version="2.0" IssueInstant="{_instant(now)}">'
        f"<saml:Issuer>{DEMO_ENTITY_ID}</saml:Issuer>"
        "<saml:Subject>"
        f'<saml:NameID Format="{C.NAMEID_EMAIL_ADDRESS}">{escape(email)}</saml:NameID>'
        f'<saml:SubjectConfirmation Method="{C.CM_BEARER}">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{_instant(now + ASSERTION_LIFETIME)}" '
        f'Recipient="{escape(acs_url)}"{irt}/>'
        "</saml:SubjectConfirmation></saml:Subject>"
        f'<saml:Conditions NotBefore="{_instant(now)}" '
        f'NotOnOrAfter="{_instant(now + ASSERTION_LIFETIME)}">'
        f"<saml:AudienceRestriction><saml:Audience>{escape(audience)}</saml:Audience>"
        "</saml:AudienceRestriction></saml:Conditions>"
        f'<saml:AuthnStatement AuthnInstant="{_instant(now)}" '
        f'SessionIndex="_{secrets.token_hex(12)}"><saml:AuthnContext><saml:AuthnContextClassRef>'
        "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
        "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        f"<saml:AttributeStatement>{attributes}</saml:AttributeStatement>"
        "</saml:Assertion>"
    )
    signed = OneLogin_Saml2_Utils.add_sign(
        assertion,
        _demo_key_pem(),
        demo_certificate_pem(),
        sign_algorithm=C.RSA_SHA256,
        digest_algorithm=C.SHA256,
    )
    signed_text = signed.decode() if isinstance(signed, bytes) else signed
    response = (
        f'<samlp:Response xmlns:samlp="{C.NS_SAMLP}" xmlns:saml="{C.NS_SAML}" '
        f'ID="_{secrets.token_hex(20)}" Version="2.0" IssueInstant="{_instant(now)}" '
        f'Destination="{escape(acs_url)}"{irt}>'
        f"<saml:Issuer>{DEMO_ENTITY_ID}</saml:Issuer>"
        f'<samlp:Status><samlp:StatusCode Value="{C.STATUS_SUCCESS}"/></samlp:Status>'
        f"{signed_text}</samlp:Response>"
    )
    return OneLogin_Saml2_Utils.b64encode(response)
