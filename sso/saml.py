"""Everything python3-saml does for the product, behind plain functions and types.

No other module imports the library (the demo IdP's signer aside), so it could be swapped
for another without touching the views, the services or the tests: the negative suite in
tests/sso/ posts responses made by an independent IdP (pysaml2) and asserts only on what the
product answers.

The library runs in strict mode with a settings dict built per request from the org's
connection. What it checks: the XML schema, one assertion only (signature wrapping), the
signature over the assertion by one of the configured certificates, no SHA-1, the audience
(the org's SP entity ID), Destination and Recipient (the org's ACS), the issuer, the
timestamps. What it leaves to the caller, done in sso.sign_in: InResponseTo against the
requests this service sent, replay, IdP-initiated acceptance, RelayState, the NameID format.
"""

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError as VE
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
BINDING_POST = C.BINDING_HTTP_POST
BINDING_REDIRECT = C.BINDING_HTTP_REDIRECT

# The clock skew allowed on Conditions/@NotBefore and @NotOnOrAfter. python3-saml's own is
# 300 s, a class constant; its check is replaced below rather than the constant patched.
CLOCK_SKEW = dt.timedelta(minutes=2)
# A base64 SAMLResponse larger than this is refused before it is decoded or parsed.
MAX_RESPONSE_CHARS = 512 * 1024


@dataclass(frozen=True)
class SPUrls:
    """The org's service-provider URLs: the entity ID is the metadata URL."""

    entity_id: str
    acs: str
    login: str


def sp_urls(*, base_url: str, slug: str) -> SPUrls:
    """The org's SP URLs under `base_url` (the request's scheme and host)."""
    base = base_url.rstrip("/")
    return SPUrls(
        entity_id=f"{base}/saml/{slug}/metadata/",
        acs=f"{base}/saml/{slug}/acs/",
        login=f"{base}/saml/{slug}/login/",
    )


def _pem_body(pem: str) -> str:
    lines = (line.strip() for line in pem.strip().splitlines())
    return "".join(line for line in lines if line and not line.startswith("-----"))


def saml_settings(
    *, sp: SPUrls, idp_entity_id: str = "", idp_sso_url: str = "", certificates: Sequence[str] = ()
) -> dict[str, Any]:
    """The library's settings for one org. Every security switch is set explicitly: several
    library defaults are unsafe (SHA-1 accepted) or refuse real IdPs (an attribute statement
    required, a password authn context demanded)."""
    settings: dict[str, Any] = {
        # Never False: it switches off the audience, destination, timestamp and
        # signature-requirement checks.
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": sp.entity_id,
            "assertionConsumerService": {"url": sp.acs, "binding": BINDING_POST},
            "NameIDFormat": NAMEID_EMAIL,
            # No SP key: AuthnRequests go unsigned (the IdP checks the ACS against its own
            # configuration), assertions are not encrypted (TLS carries them).
            "x509cert": "",
            "privateKey": "",
        },
        "security": {
            "authnRequestsSigned": False,
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "wantNameId": True,
            "wantNameIdEncrypted": False,
            "wantAssertionsEncrypted": False,
            "wantAttributeStatement": False,
            "allowRepeatAttributeName": True,
            # The library's default is False, which accepts rsa-sha1 and sha1 digests.
            "rejectDeprecatedAlgorithm": True,
            "signatureAlgorithm": C.RSA_SHA256,
            "digestAlgorithm": C.SHA256,
            # Asking for PasswordProtectedTransport breaks IdPs that use MFA or Kerberos.
            "requestedAuthnContext": False,
            "failOnAuthnContextMismatch": False,
            # Our own URLs come from a host ALLOWED_HOSTS accepted (a single label under the
            # test client), and the IdP's SSO URL is validated by sso.services already.
            "allowSingleLabelDomains": True,
        },
    }
    if idp_entity_id:
        settings["idp"] = {
            "entityId": idp_entity_id,
            "singleSignOnService": {"url": idp_sso_url, "binding": BINDING_REDIRECT},
            "x509certMulti": {"signing": [_pem_body(pem) for pem in certificates]},
        }
    return settings


def sp_metadata(*, sp: SPUrls) -> str:
    """The SP metadata XML, checked against the SAML metadata schema by the library."""
    s = OneLogin_Saml2_Settings(saml_settings(sp=sp), sp_validation_only=True)
    xml = s.get_sp_metadata()
    xml = xml.decode() if isinstance(xml, bytes) else xml
    errors = s.validate_metadata(xml)
    if errors:  # pragma: no cover - a bug in the settings above, not input
        raise ValueError(f"SP metadata is invalid: {errors}")
    return xml


def _request_data(url: str, *, post: dict[str, str] | None = None) -> dict[str, Any]:
    """The library's view of a request, built from our own URL: it rebuilds "the URL this
    arrived at" from these keys for the Destination and Recipient checks."""
    parts = urlsplit(url)
    return {
        "https": "on" if parts.scheme == "https" else "off",
        # host[:port]; no server_port key (deprecated, and it would append a port twice).
        "http_host": parts.netloc,
        "script_name": parts.path,
        "get_data": {},
        "post_data": post or {},
    }


def authn_request_url(
    *, sp: SPUrls, idp_entity_id: str, idp_sso_url: str, certificates: Sequence[str], relay: str
) -> tuple[str, str]:
    """(the IdP URL to redirect to, carrying an AuthnRequest by HTTP-Redirect; its ID)."""
    auth = OneLogin_Saml2_Auth(
        _request_data(sp.login),
        old_settings=saml_settings(
            sp=sp,
            idp_entity_id=idp_entity_id,
            idp_sso_url=idp_sso_url,
            certificates=certificates,
        ),
    )
    url = auth.login(return_to=relay)
    return url, auth.get_last_request_id()


@dataclass(frozen=True)
class Assertion:
    """What a verified response says. Every value comes from the signed assertion."""

    name_id: str
    name_id_format: str
    attributes: dict[str, list[str]]
    assertion_id: str
    in_response_to: str | None
    issue_instant: dt.datetime | None
    # After this instant the assertion could not be accepted anyway: the replay cache may
    # forget it then.
    usable_until: dt.datetime
    session_index: str | None = None
    conditions: dict[str, str] = field(default_factory=dict)


class ResponseRefused(Exception):
    """A response that must not sign anyone in; `reason` is one of REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# The library's validation codes, by the product's reason for refusing.
_REASONS: dict[int, str] = {
    VE.WRONG_NUMBER_OF_ASSERTIONS: "assertion_count",
    VE.NO_SIGNED_ASSERTION: "unsigned",
    VE.NO_SIGNATURE_FOUND: "unsigned",
    VE.NO_SIGNED_MESSAGE: "unsigned",
    VE.INVALID_SIGNATURE: "signature_invalid",
    VE.WRONG_SIGNED_ELEMENT: "signature_invalid",
    VE.ID_NOT_FOUND_IN_SIGNED_ELEMENT: "signature_invalid",
    VE.DUPLICATED_ID_IN_SIGNED_ELEMENTS: "signature_invalid",
    VE.INVALID_SIGNED_ELEMENT: "signature_invalid",
    VE.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS: "signature_invalid",
    VE.UNEXPECTED_SIGNED_ELEMENTS: "signature_invalid",
    VE.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE: "signature_invalid",
    VE.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION: "signature_invalid",
    VE.WRONG_NUMBER_OF_SIGNATURES: "signature_invalid",
    VE.DEPRECATED_SIGNATURE_METHOD: "deprecated_algorithm",
    VE.DEPRECATED_DIGEST_METHOD: "deprecated_algorithm",
    VE.INVALID_XML_FORMAT: "schema",
    VE.WRONG_AUDIENCE: "audience",
    VE.WRONG_DESTINATION: "destination",
    VE.EMPTY_DESTINATION: "destination",
    VE.WRONG_SUBJECTCONFIRMATION: "subject_confirmation",
    VE.ASSERTION_EXPIRED: "expired",
    VE.SESSION_EXPIRED: "expired",
    VE.RESPONSE_EXPIRED: "expired",
    VE.ASSERTION_TOO_EARLY: "not_yet_valid",
    VE.MISSING_CONDITIONS: "invalid",
    VE.WRONG_ISSUER: "issuer",
    VE.ISSUER_MULTIPLE_IN_RESPONSE: "issuer",
    VE.ISSUER_NOT_FOUND_IN_ASSERTION: "issuer",
    VE.STATUS_CODE_IS_NOT_SUCCESS: "idp_error",
    VE.MISSING_STATUS: "idp_error",
    VE.MISSING_STATUS_CODE: "idp_error",
    VE.NO_NAMEID: "nameid_missing",
    VE.EMPTY_NAMEID: "nameid_missing",
    VE.WRONG_INRESPONSETO: "unknown_request",
}


def _instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromtimestamp(OneLogin_Saml2_Utils.parse_SAML_to_time(value), tz=dt.UTC)


class _Response(OneLogin_Saml2_Response):
    """The library's response check, with the product's clock skew on Conditions."""

    def validate_timestamps(self, raise_exceptions: bool = False) -> bool:
        now = OneLogin_Saml2_Utils.now()
        skew = int(CLOCK_SKEW.total_seconds())
        for node in self._query_assertion("/saml:Conditions"):
            not_before = node.get("NotBefore")
            not_after = node.get("NotOnOrAfter")
            if not_before and OneLogin_Saml2_Utils.parse_SAML_to_time(not_before) > now + skew:
                raise VE("The assertion is not valid yet.", VE.ASSERTION_TOO_EARLY)
            if not_after and OneLogin_Saml2_Utils.parse_SAML_to_time(not_after) + skew <= now:
                raise VE("The assertion has expired.", VE.ASSERTION_EXPIRED)
        return True

    def signed_assertion_values(self) -> dict[str, Any]:
        """Values of the signed assertion that the library has no getter for."""
        conditions = self._query_assertion("/saml:Conditions")
        confirmations = self._query_assertion(
            "/saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData"
        )
        return {
            "conditions": dict(conditions[0].attrib) if conditions else {},
            "scd_in_response_to": next(
                (n.get("InResponseTo") for n in confirmations if n.get("InResponseTo")), None
            ),
        }


def response_verify(
    *, saml_response: str, sp: SPUrls, idp_entity_id: str, certificates: Sequence[str]
) -> Assertion:
    """Verify a base64 SAMLResponse as the org's ACS received it; raise ResponseRefused."""
    if not saml_response:
        raise ResponseRefused("malformed", "The request carries no SAMLResponse.")
    if len(saml_response) > MAX_RESPONSE_CHARS:
        raise ResponseRefused("malformed", "The SAMLResponse is too large.")
    if not certificates:
        raise ResponseRefused("signature_invalid", "No signing certificate is configured.")
    settings = OneLogin_Saml2_Settings(
        saml_settings(
            sp=sp, idp_entity_id=idp_entity_id, idp_sso_url=sp.login, certificates=certificates
        )
    )
    try:
        response = _Response(settings, saml_response)
    except Exception as exc:  # bad base64, not XML, a DTD: all "malformed"
        raise ResponseRefused("malformed", type(exc).__name__) from exc
    try:
        response.is_valid(_request_data(sp.acs), raise_exceptions=True)
        name_id = response.get_nameid() or ""
        name_id_format = response.get_nameid_format() or ""
        attributes = response.get_attributes()
        assertion_id = response.get_assertion_id() or ""
        issue_instant = response.get_assertion_issue_instant()
        extra = response.signed_assertion_values()
        session_index = response.get_session_index()
    except VE as exc:
        raise ResponseRefused(_REASONS.get(exc.code, "invalid"), str(exc)) from exc
    except Exception as exc:  # anything else the library trips on
        raise ResponseRefused("invalid", type(exc).__name__) from exc
    if not assertion_id:
        raise ResponseRefused("invalid", "The assertion has no ID.")
    # Response/@InResponseTo is outside the signature when only the assertion is signed; the
    # one inside the signed SubjectConfirmationData counts as well, so removing the outer
    # one cannot turn an SP-initiated response into an unsolicited one.
    in_response_to = response.get_in_response_to() or extra["scd_in_response_to"]
    now = dt.datetime.now(dt.UTC)
    limits = [now]
    scd_until = response.get_assertion_not_on_or_after()
    if scd_until:
        limits.append(dt.datetime.fromtimestamp(scd_until, tz=dt.UTC))
    conditions_until = _instant(extra["conditions"].get("NotOnOrAfter"))
    if conditions_until:
        limits.append(conditions_until + CLOCK_SKEW)
    if len(limits) == 1:
        # Neither bound given: remember it for a day, far longer than any IdP's lifetime.
        limits.append(now + dt.timedelta(days=1))
    return Assertion(
        name_id=name_id,
        name_id_format=name_id_format,
        attributes={k: [str(v) for v in vs] for k, vs in attributes.items()},
        assertion_id=assertion_id,
        in_response_to=in_response_to,
        issue_instant=dt.datetime.fromtimestamp(issue_instant, tz=dt.UTC)
        if issue_instant
        else None,
        usable_until=max(limits),
        session_index=session_index,
        conditions={k: v for k, v in extra["conditions"].items() if isinstance(v, str)},
    )


def response_in_response_to_unverified(saml_response: str) -> str | None:
    """InResponseTo as the response claims it, unverified: only to find which test sign-in
    a response belongs to (a test signs nobody in). Never trust it for anything else."""
    if not saml_response or len(saml_response) > MAX_RESPONSE_CHARS:
        return None
    try:
        document = OneLogin_Saml2_XML.to_etree(OneLogin_Saml2_Utils.b64decode(saml_response))
    except Exception:  # garbage has no InResponseTo
        return None
    value = document.get("InResponseTo")
    return value if isinstance(value, str) else None


def authn_request_parse(saml_request: str) -> dict[str, str]:
    """ID, Issuer and ACS URL of an AuthnRequest sent by HTTP-Redirect (the demo IdP reads
    it); raises ValueError on anything that is not one."""
    try:
        xml = zlib.decompress(OneLogin_Saml2_Utils.b64decode(saml_request), -15)
        document = OneLogin_Saml2_XML.to_etree(xml)
    except Exception as exc:
        raise ValueError("not an AuthnRequest") from exc
    if document.tag != f"{{{C.NS_SAMLP}}}AuthnRequest":
        raise ValueError("not an AuthnRequest")
    issuer = document.find(f"{{{C.NS_SAML}}}Issuer")
    return {
        "id": document.get("ID") or "",
        "issuer": (issuer.text or "").strip() if issuer is not None else "",
        "acs": document.get("AssertionConsumerServiceURL") or "",
    }
