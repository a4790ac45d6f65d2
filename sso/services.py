"""The org's SAML identity provider: validated metadata, and its state machine.

not configured -> configured (validated metadata) -> enabled. SCIM may run only while SSO is
enabled, so turning SSO off must also turn SCIM off: provisioning owns that rule and calls
`sso_disable` from `org_sso_disable`, which every entry point uses.
"""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from xml.etree.ElementTree import ParseError

from cryptography import x509
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.audit import audit_record
from notifications.services import owner_change_notice_on_commit
from sso.models import SSOConnection

DEMO_METADATA_PATH = Path(__file__).resolve().parent / "demo_idp" / "metadata.xml"

_MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
_DS = "{http://www.w3.org/2000/09/xmldsig#}"
_SSO_BINDINGS = (
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
)
MAX_METADATA_BYTES = 512 * 1024


@dataclass(frozen=True)
class IdPSettings:
    entity_id: str
    sso_url: str
    certificate_pem: str


def sso_certificate_load(text: str) -> x509.Certificate:
    """Parse a PEM certificate (or the bare base64 DER that metadata carries)."""
    text = text.strip()
    try:
        if "-----BEGIN CERTIFICATE-----" in text:
            return x509.load_pem_x509_certificate(text.encode())
        der = base64.b64decode("".join(text.split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (ValueError, binascii.Error) as exc:
        raise ValidationError(
            "The signing certificate could not be read: paste a PEM certificate "
            "(-----BEGIN CERTIFICATE----- …).",
            code="invalid_certificate",
        ) from exc


def _certificate_pem(cert: x509.Certificate) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM).decode()


def sso_settings_validate(*, entity_id: str, sso_url: str, certificate: str) -> IdPSettings:
    """Check IdP settings for real; raise a ValidationError keyed by field on any problem."""
    errors: dict[str, list[str]] = {}
    entity_id = entity_id.strip()
    sso_url = sso_url.strip()
    if not entity_id:
        errors.setdefault("entity_id", []).append("Enter the IdP entity ID.")
    elif len(entity_id) > 1024:
        errors.setdefault("entity_id", []).append("The entity ID is longer than 1024 characters.")
    parsed = urlparse(sso_url)
    if parsed.scheme != "https" or not parsed.hostname:
        errors.setdefault("sso_url", []).append("The SSO URL must be an https:// URL.")
    elif len(sso_url) > 1024:
        errors.setdefault("sso_url", []).append("The SSO URL is longer than 1024 characters.")
    else:
        try:
            URLValidator(schemes=["https"])(sso_url)
        except ValidationError:
            errors.setdefault("sso_url", []).append("The SSO URL is not a valid URL.")
    pem = ""
    if not certificate.strip():
        errors.setdefault("certificate", []).append("Paste the IdP's signing certificate.")
    else:
        try:
            cert = sso_certificate_load(certificate)
        except ValidationError as exc:
            errors.setdefault("certificate", []).extend(exc.messages)
        else:
            now = timezone.now()
            if cert.not_valid_after_utc <= now:
                errors.setdefault("certificate", []).append(
                    f"The certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}."
                )
            elif cert.not_valid_before_utc > now:
                errors.setdefault("certificate", []).append(
                    f"The certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d}."
                )
            pem = _certificate_pem(cert)
    if errors:
        raise ValidationError(errors)
    return IdPSettings(entity_id=entity_id, sso_url=sso_url, certificate_pem=pem)


def sso_metadata_parse(xml: bytes | str) -> IdPSettings:
    """Read entity ID, SSO URL and signing certificate from SAML 2.0 IdP metadata, validated."""
    if isinstance(xml, str):
        xml = xml.encode()
    if len(xml) > MAX_METADATA_BYTES:
        raise ValidationError({"metadata": ["The metadata file is larger than 512 KB."]})
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise ValidationError(
            {"metadata": [f"The metadata is not well-formed XML ({exc})."]}
        ) from exc
    entity = (
        root if root.tag == f"{_MD}EntityDescriptor" else root.find(f".//{_MD}EntityDescriptor")
    )
    idp = entity.find(f"{_MD}IDPSSODescriptor") if entity is not None else None
    if entity is None or idp is None:
        raise ValidationError(
            {
                "metadata": [
                    "This is not SAML 2.0 IdP metadata: "
                    "no EntityDescriptor with an IDPSSODescriptor."
                ]
            }
        )
    sso_url = ""
    for service in idp.findall(f"{_MD}SingleSignOnService"):
        if service.get("Binding") in _SSO_BINDINGS and service.get("Location"):
            sso_url = service.get("Location", "")
            break
    certificate = ""
    for key in idp.findall(f"{_MD}KeyDescriptor"):
        if key.get("use") in (None, "signing"):
            node = key.find(f".//{_DS}X509Certificate")
            if node is not None and (node.text or "").strip():
                certificate = node.text or ""
                break
    if not sso_url:
        raise ValidationError({"metadata": ["The metadata has no SingleSignOnService location."]})
    if not certificate:
        raise ValidationError({"metadata": ["The metadata has no signing certificate."]})
    try:
        return sso_settings_validate(
            entity_id=entity.get("entityID", ""), sso_url=sso_url, certificate=certificate
        )
    except ValidationError as exc:
        raise ValidationError({"metadata": exc.messages}) from exc


def sso_demo_settings() -> IdPSettings:
    return sso_metadata_parse(DEMO_METADATA_PATH.read_bytes())


def _sso_for_update(org: Organization) -> SSOConnection:
    sso, _ = SSOConnection.objects.select_for_update().get_or_create(org=org)
    return sso


@transaction.atomic
def sso_configure(
    *, org: Organization, settings: IdPSettings, actor: Actor, enable: bool = False
) -> SSOConnection:
    """Store validated IdP settings; the state becomes configured (or enabled if asked)."""
    sso = _sso_for_update(org)
    newly_enabled = enable and sso.state != SSOConnection.State.ENABLED
    sso.idp_entity_id = settings.entity_id
    sso.sso_url = settings.sso_url
    sso.signing_certificate = settings.certificate_pem
    sso.certificate_not_after = sso_certificate_load(settings.certificate_pem).not_valid_after_utc
    if sso.state == SSOConnection.State.NOT_CONFIGURED or enable:
        sso.state = SSOConnection.State.ENABLED if enable else SSOConnection.State.CONFIGURED
    sso.updated_by = actor.account
    sso.updated_at = timezone.now()
    sso.save()
    audit_record(
        org=org,
        actor=actor,
        action="sso.configured",
        target=sso,
        details={"entity_id": settings.entity_id, "sso_url": settings.sso_url},
    )
    if newly_enabled:
        audit_record(org=org, actor=actor, action="sso.enabled", target=sso)
    owner_change_notice_on_commit(
        org=org,
        subject="SSO settings were changed" + (" and SSO was enabled" if newly_enabled else ""),
        actor=actor,
        detail=f"Identity provider: {settings.entity_id} ({settings.sso_url}).",
    )
    return sso


@transaction.atomic
def sso_enable(*, org: Organization, actor: Actor) -> SSOConnection:
    sso = _sso_for_update(org)
    if sso.state == SSOConnection.State.NOT_CONFIGURED:
        raise ValidationError("Configure the identity provider before enabling SSO.")
    if sso.state != SSOConnection.State.ENABLED:
        sso.state = SSOConnection.State.ENABLED
        sso.updated_by = actor.account
        sso.updated_at = timezone.now()
        sso.save()
        audit_record(org=org, actor=actor, action="sso.enabled", target=sso)
        owner_change_notice_on_commit(org=org, subject="SSO was enabled", actor=actor)
    return sso


@transaction.atomic
def sso_disable(*, org: Organization, actor: Actor) -> SSOConnection:
    """Turn SSO off (back to configured). Idempotent.

    Call provisioning's `org_sso_disable` instead, which turns SCIM off with it (SCIM refuses
    requests while SSO is off anyway: its authentication checks the SSO state)."""
    sso = _sso_for_update(org)
    if sso.state == SSOConnection.State.ENABLED:
        sso.state = SSOConnection.State.CONFIGURED
        sso.updated_by = actor.account
        sso.updated_at = timezone.now()
        sso.save()
        audit_record(org=org, actor=actor, action="sso.disabled", target=sso)
        owner_change_notice_on_commit(
            org=org,
            subject="SSO was disabled",
            actor=actor,
            detail="SCIM provisioning is off and its token is revoked while SSO is disabled.",
        )
    return sso


def certificate_expires_soon(sso: SSOConnection, *, days: int = 30) -> bool:
    return bool(
        sso.certificate_not_after
        and sso.certificate_not_after - timezone.now() < dt.timedelta(days=days)
    )
