"""Test identity providers: self-signed signing certificates and SAML metadata around them."""

import base64
import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID


def certificate_pem(
    *, days_valid: int = 365, days_before: int = 1, expired_on: dt.datetime | None = None
) -> str:
    """A self-signed certificate that ends `days_valid` days from now (negative: expired that
    many days ago) and began `days_before` days before that or now, whichever is earlier;
    or, with `expired_on`, one valid for the year before that instant."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = dt.datetime.now(dt.UTC)
    not_before = now - dt.timedelta(days=days_before + max(0, -days_valid))
    not_after = now + dt.timedelta(days=days_valid)
    if expired_on is not None:
        not_before, not_after = expired_on - dt.timedelta(days=366), expired_on
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode()


def metadata_xml(
    *,
    entity_id: str = "http://www.okta.com/exk1test",
    sso_url: str = "https://example.okta.com/app/kisiscim/exk1test/sso/saml",
    pem: str | None = None,
) -> bytes:
    """SAML 2.0 IdP metadata as Okta publishes it (one signing key, two SSO bindings)."""
    pem = pem or certificate_pem()
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(Encoding.DER)
    b64 = base64.b64encode(der).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="{sso_url}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="{sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
""".encode()
