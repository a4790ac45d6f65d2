"""An in-process SAML identity provider for tests: pysaml2's `saml2.server.Server`, a second
SAML implementation, independent of the product's python3-saml. It signs through Debian's
`xmlsec1` (installed by .ci/run).

    idp = SamlIdP()                                  # a fresh RSA-2048 key and certificate
    idp.register_sp(metadata_xml)                    # the product's own /saml/<slug>/metadata/
    b64 = idp.response(sp=..., email="ada@acme.example.com", in_response_to=None, ...)
"""

import base64
import datetime as dt
import shutil
import tempfile
import warnings
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.support import require_service

with warnings.catch_warnings():
    # pysaml2 7.5.5 imports a cipher cryptography 50 has moved ("CFB has been moved").
    warnings.simplefilter("ignore")
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, xmldsig
    from saml2.assertion import Policy
    from saml2.config import IdPConfig
    from saml2.metadata import create_metadata_string
    from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
    from saml2.server import Server

SHA256 = (xmldsig.SIG_RSA_SHA256, xmldsig.DIGEST_SHA256)
SHA1 = (xmldsig.SIG_RSA_SHA1, xmldsig.DIGEST_SHA1)


def key_and_certificate(
    cn: str = "Test IdP", *, not_before: dt.datetime | None = None, days: int = 365
) -> tuple[bytes, bytes]:
    """(private key PEM, self-signed certificate PEM): RSA-2048, SHA-256."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


class SamlIdP:
    """One IdP: an entity ID, an SSO URL and a signing key. Two instances with the same
    entity ID and different keys stand for "signed by another key" or a key rollover."""

    def __init__(
        self,
        entity_id: str = "https://idp.example.net/saml2/metadata",
        sso_url: str = "https://idp.example.net/saml2/sso",
        key_and_cert: tuple[bytes, bytes] | None = None,
    ) -> None:
        xmlsec = shutil.which("xmlsec1")
        require_service("xmlsec1", xmlsec is not None, "apt-get install xmlsec1")
        self.entity_id = entity_id
        self.sso_url = sso_url
        self.key_pem, self.cert_pem = key_and_cert or key_and_certificate()
        # xmlsec1 reads the key and certificate from files.
        self._dir = Path(tempfile.mkdtemp(prefix="kisiscim-idp-"))
        key_file, cert_file = self._dir / "idp.key", self._dir / "idp.crt"
        key_file.write_bytes(self.key_pem)
        cert_file.write_bytes(self.cert_pem)
        config = IdPConfig()
        config.load(
            {
                "entityid": entity_id,
                "xmlsec_binary": xmlsec,
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "metadata": {},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (sso_url, BINDING_HTTP_REDIRECT),
                                (sso_url, BINDING_HTTP_POST),
                            ]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        # pysaml2's own default is rsa-sha1: never rely on it.
                        "signing_algorithm": xmldsig.SIG_RSA_SHA256,
                        "digest_algorithm": xmldsig.DIGEST_SHA256,
                    }
                },
            }
        )
        self.server = Server(config=config)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    @property
    def certificate(self) -> str:
        return self.cert_pem.decode()

    def register_sp(self, metadata_xml: str) -> None:
        """Load an SP's metadata: pysaml2 answers only SPs it knows."""
        self.server.metadata.load("inline", metadata_xml)

    def metadata_xml(self) -> bytes:
        return create_metadata_string(None, config=self.server.config, valid=1, sign=False)

    def response_xml(
        self,
        *,
        sp_entity_id: str,
        acs_url: str,
        email: str,
        in_response_to: str | None = None,
        sign_assertion: bool = True,
        sign_response: bool = False,
        algs: tuple[str, str] = SHA256,
        destination: str | None = None,
        lifetime_minutes: int = 5,
        name_id_format: str = NAMEID_FORMAT_EMAILADDRESS,
        attributes: dict[str, list[str]] | None = None,
    ) -> str:
        """An AuthnResponse as XML: audience `sp_entity_id`; Destination and Recipient
        `destination` or `acs_url`; NotOnOrAfter now + `lifetime_minutes` (negative: expired)."""
        policy = Policy(
            {"default": {"lifetime": {"minutes": lifetime_minutes}}}, mds=self.server.metadata
        )
        response = self.server.create_authn_response(
            identity=attributes or {"mail": [email], "givenName": ["Ada"], "sn": ["Lovelace"]},
            in_response_to=in_response_to,
            destination=destination or acs_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=name_id_format, text=email),
            authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": self.entity_id},
            sign_assertion=sign_assertion,
            sign_response=sign_response,
            sign_alg=algs[0],
            digest_alg=algs[1],
            release_policy=policy,
        )
        return str(response)

    def response(self, **kwargs: object) -> str:
        """The same, base64 as the HTTP-POST binding carries it (the SAMLResponse field)."""
        return b64(self.response_xml(**kwargs))  # type: ignore[arg-type]


def b64(xml: str | bytes) -> str:
    return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()
