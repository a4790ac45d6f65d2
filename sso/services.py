"""The org's SAML identity provider: validated metadata, and its state machine.

not configured -> configured (validated metadata) -> enabled. SCIM may run only while SSO is
enabled, so turning SSO off must also turn SCIM off: provisioning owns that rule and calls
`sso_disable` from `org_sso_disable`, which every entry point uses.

Metadata comes by upload, by hand or by URL; a URL is fetched again every day
(`sso_metadata_refresh`, from beat), and a failed refresh keeps what was stored and tells the
owner. Up to two signing certificates are kept, for the IdP's key rollover.
"""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
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
from notifications.services import owner_change_notice_on_commit, owner_notice_on_commit
from sso.demo_idp import DEMO_METADATA_PATH
from sso.fetch import FetchError, is_loopback_http, loopback_allowed, metadata_fetch
from sso.models import SSOConnection

__all__ = ["DEMO_METADATA_PATH"]

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
    # The IdP's next (or previous) signing certificate during a key rollover.
    certificate_2_pem: str = ""
    metadata_url: str = ""


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


def _sso_url_errors(sso_url: str) -> list[str]:
    if len(sso_url) > 1024:
        return ["The SSO URL is longer than 1024 characters."]
    if loopback_allowed() and is_loopback_http(sso_url):
        # Tests only: the loopback SimpleSAMLphp speaks plain http (sso.fetch says more).
        return []
    parsed = urlparse(sso_url)
    if parsed.scheme != "https" or not parsed.hostname:
        return ["The SSO URL must be an https:// URL."]
    try:
        URLValidator(schemes=["https"])(sso_url)
    except ValidationError:
        return ["The SSO URL is not a valid URL."]
    return []


def _certificate_check(certificate: str) -> tuple[str, list[str]]:
    """(the certificate as PEM, problems)."""
    try:
        cert = sso_certificate_load(certificate)
    except ValidationError as exc:
        return "", list(exc.messages)
    now = timezone.now()
    if cert.not_valid_after_utc <= now:
        return "", [f"The certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}."]
    if cert.not_valid_before_utc > now:
        return "", [f"The certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d}."]
    return _certificate_pem(cert), []


def sso_settings_validate(
    *, entity_id: str, sso_url: str, certificate: str, certificate_2: str = ""
) -> IdPSettings:
    """Check IdP settings for real; raise a ValidationError keyed by field on any problem."""
    errors: dict[str, list[str]] = {}
    entity_id = entity_id.strip()
    sso_url = sso_url.strip()
    if not entity_id:
        errors.setdefault("entity_id", []).append("Enter the IdP entity ID.")
    elif len(entity_id) > 1024:
        errors.setdefault("entity_id", []).append("The entity ID is longer than 1024 characters.")
    if url_errors := _sso_url_errors(sso_url):
        errors["sso_url"] = url_errors
    pem = pem_2 = ""
    if not certificate.strip():
        errors.setdefault("certificate", []).append("Paste the IdP's signing certificate.")
    else:
        pem, problems = _certificate_check(certificate)
        if problems:
            errors["certificate"] = problems
    if certificate_2.strip():
        pem_2, problems = _certificate_check(certificate_2)
        if problems:
            errors["certificate_2"] = problems
        elif pem_2 == pem:
            pem_2 = ""
    if errors:
        raise ValidationError(errors)
    return IdPSettings(
        entity_id=entity_id, sso_url=sso_url, certificate_pem=pem, certificate_2_pem=pem_2
    )


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
    certificates: list[str] = []
    for key in idp.findall(f"{_MD}KeyDescriptor"):
        if key.get("use") in (None, "signing"):
            node = key.find(f".//{_DS}X509Certificate")
            text = "".join((node.text or "").split()) if node is not None else ""
            if text and text not in certificates:
                certificates.append(text)
    if not sso_url:
        raise ValidationError({"metadata": ["The metadata has no SingleSignOnService location."]})
    if not certificates:
        raise ValidationError({"metadata": ["The metadata has no signing certificate."]})
    if len(certificates) > 2:
        raise ValidationError(
            {"metadata": ["The metadata has more than two signing certificates."]}
        )
    try:
        return sso_settings_validate(
            entity_id=entity.get("entityID", ""),
            sso_url=sso_url,
            certificate=certificates[0],
            certificate_2=certificates[1] if len(certificates) > 1 else "",
        )
    except ValidationError as exc:
        raise ValidationError({"metadata": exc.messages}) from exc


def sso_metadata_url_load(url: str) -> IdPSettings:
    """Fetch IdP metadata from `url` (https, public hosts only: sso.fetch) and validate it."""
    url = url.strip()
    if len(url) > 1024:
        raise ValidationError(
            {"metadata_url": ["The metadata URL is longer than 1024 characters."]}
        )
    try:
        body = metadata_fetch(url)
    except FetchError as exc:
        raise ValidationError({"metadata_url": [str(exc)]}) from exc
    try:
        idp = sso_metadata_parse(body)
    except ValidationError as exc:
        raise ValidationError({"metadata_url": exc.messages}) from exc
    return IdPSettings(
        entity_id=idp.entity_id,
        sso_url=idp.sso_url,
        certificate_pem=idp.certificate_pem,
        certificate_2_pem=idp.certificate_2_pem,
        metadata_url=url,
    )


def sso_demo_settings() -> IdPSettings:
    return sso_metadata_parse(DEMO_METADATA_PATH.read_bytes())


def _store(sso: SSOConnection, settings: IdPSettings) -> None:
    sso.idp_entity_id = settings.entity_id
    sso.sso_url = settings.sso_url
    sso.signing_certificate = settings.certificate_pem
    sso.certificate_not_after = sso_certificate_load(settings.certificate_pem).not_valid_after_utc
    sso.signing_certificate_2 = settings.certificate_2_pem
    sso.certificate_2_not_after = (
        sso_certificate_load(settings.certificate_2_pem).not_valid_after_utc
        if settings.certificate_2_pem
        else None
    )


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
    _store(sso, settings)
    sso.metadata_url = settings.metadata_url
    sso.metadata_refreshed_at = timezone.now() if settings.metadata_url else None
    sso.metadata_refresh_error = ""
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
        details={
            "entity_id": settings.entity_id,
            "sso_url": settings.sso_url,
            "certificates": len(sso.certificates),
            "metadata_url": settings.metadata_url,
        },
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


@transaction.atomic
def sso_options_set(
    *, org: Organization, allow_idp_initiated: bool, require_sso: bool, actor: Actor
) -> SSOConnection:
    """Set the sign-in switches: IdP-initiated sign-in (the app tile) and Require SSO."""
    sso = _sso_for_update(org)
    changes = {
        name: value
        for name, value in (
            ("allow_idp_initiated", allow_idp_initiated),
            ("require_sso", require_sso),
        )
        if getattr(sso, name) != value
    }
    if not changes:
        return sso
    for name, value in changes.items():
        setattr(sso, name, value)
    sso.updated_by = actor.account
    sso.updated_at = timezone.now()
    sso.save()
    audit_record(org=org, actor=actor, action="sso.options_changed", target=sso, details=changes)
    lines = []
    if "allow_idp_initiated" in changes:
        lines.append(
            "Sign-in from the IdP's app tile is "
            + ("allowed." if allow_idp_initiated else "turned off.")
        )
    if "require_sso" in changes:
        lines.append(
            "Require SSO is "
            + (
                "on: admins can no longer sign in with a password; the owner's password "
                "sign-in is kept for emergencies and reported."
                if require_sso
                else "off: admins may sign in with a password again."
            )
        )
    owner_change_notice_on_commit(
        org=org, subject="SSO sign-in options were changed", actor=actor, detail=" ".join(lines)
    )
    return sso


def sso_metadata_refresh(*, sso_id: int, actor: Actor) -> bool:
    """Fetch the connection's metadata URL again and store what changed. A failure keeps
    the stored metadata, records why, and tells the owner (once per failing streak).
    Returns whether the refresh succeeded. The fetch runs outside any transaction, so no
    row stays locked while a slow IdP answers."""
    sso = SSOConnection.objects.filter(pk=sso_id).first()
    if sso is None or not sso.metadata_url:
        return False
    url = sso.metadata_url
    try:
        idp = sso_metadata_url_load(url)
    except ValidationError as exc:
        _metadata_refresh_failed(sso_id=sso_id, url=url, error=" ".join(exc.messages), actor=actor)
        return False
    return _metadata_refresh_store(sso_id=sso_id, idp=idp, actor=actor)


@transaction.atomic
def _metadata_refresh_failed(*, sso_id: int, url: str, error: str, actor: Actor) -> None:
    sso = SSOConnection.objects.select_for_update().select_related("org").get(pk=sso_id)
    if sso.metadata_url != url:  # changed meanwhile by the owner
        return
    error = error[:500]
    first_failure = not sso.metadata_refresh_error
    sso.metadata_refresh_error = error
    sso.save(update_fields=["metadata_refresh_error"])
    audit_record(
        org=sso.org,
        actor=actor,
        action="sso.metadata_refresh_failed",
        target=sso,
        details={"metadata_url": url, "error": error},
    )
    if first_failure:
        owner_notice_on_commit(
            org=sso.org,
            subject="[KisiSCIM] The IdP metadata could not be refreshed",
            body=(
                f"The daily refresh of {sso.org.name}'s identity provider metadata from "
                f"{url} failed: {error}\n"
                "Sign-in keeps working with the metadata stored before. If your IdP is rolling "
                "over its signing key, fix the URL or upload the new metadata in "
                "Settings → SSO & SCIM.\n"
            ),
        )


@transaction.atomic
def _metadata_refresh_store(*, sso_id: int, idp: IdPSettings, actor: Actor) -> bool:
    sso = SSOConnection.objects.select_for_update().select_related("org").get(pk=sso_id)
    if sso.metadata_url != idp.metadata_url:
        return False
    changed = (idp.entity_id, idp.sso_url, idp.certificate_pem, idp.certificate_2_pem) != (
        sso.idp_entity_id,
        sso.sso_url,
        sso.signing_certificate,
        sso.signing_certificate_2,
    )
    _store(sso, idp)
    sso.metadata_refreshed_at = timezone.now()
    sso.metadata_refresh_error = ""
    sso.save()
    if changed:
        audit_record(
            org=sso.org,
            actor=actor,
            action="sso.metadata_refreshed",
            target=sso,
            details={"entity_id": idp.entity_id, "certificates": len(sso.certificates)},
        )
        owner_change_notice_on_commit(
            org=sso.org,
            subject="The IdP metadata changed",
            actor=actor,
            detail=f"Fetched from {idp.metadata_url}: {idp.entity_id} ({idp.sso_url}).",
        )
    return True


def certificate_expires_soon(sso: SSOConnection, *, days: int = 30) -> bool:
    """Whether a signing certificate ends within `days` (the page warns 30 days ahead)."""
    return bool(certificate_expiring(sso, days=days))


def certificate_expiring(sso: SSOConnection, *, days: int = 30) -> list[dt.datetime]:
    """The end dates of the signing certificates that end within `days`."""
    limit = timezone.now() + dt.timedelta(days=days)
    return [
        end
        for pem, end in (
            (sso.signing_certificate, sso.certificate_not_after),
            (sso.signing_certificate_2, sso.certificate_2_not_after),
        )
        if pem and end and end < limit
    ]
