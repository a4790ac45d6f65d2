"""SAML sign-in: the AuthnRequests this service sends, and what it does with the answers.

A response signs someone in only when all of this holds, checked in this order:
1. the org's SSO is enabled, and its IdP is not the demo IdP outside the demo;
2. the library verifies it (sso.saml: signature by a configured certificate over the
   assertion, no SHA-1, one assertion only, audience, destination, recipient, issuer,
   timestamps with two minutes of skew);
3. its InResponseTo names a pending request this service sent for this org (each used once,
   within 15 minutes), or it has none and the org allows IdP-initiated sign-in;
4. RelayState, if any, is a path on this site;
5. the assertion was not accepted before (the replay table, shared by every process);
6. the NameID is an email address, and names one of the org's console accounts or one of
   its active people (by userName, then primary email). No one is created here: SCIM is the
   source of truth.

Every outcome, signed in or refused, is one audit event with the reason. A refusal leaves
no session: the views start one only for a `SignIn` without a refusal.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Account, Membership, Organization, Person, PersonEmail
from accounts.services.audit import audit_record
from notifications.services import owner_change_notice_on_commit
from sso import saml
from sso.demo_idp import DEMO_ENTITY_ID, demo_idp_allowed, is_demo_certificate
from sso.models import SAMLAssertionUse, SAMLRequest, SSOConnection
from sso.selectors import sso_required_orgs

REQUEST_LIFETIME = dt.timedelta(minutes=15)
ACCEPTED_NAMEID_FORMATS = (saml.NAMEID_EMAIL, saml.NAMEID_UNSPECIFIED, "")

# What the person is told, by reason: (HTTP status, message). People who may not sign in
# are all told the same, so the page never says whether an address is known.
NOT_ALLOWED = "You are not allowed to sign in to {org}. Ask your administrator for access."
UNVERIFIED = (
    "The sign-in response from {org}'s identity provider could not be verified, so nobody was "
    "signed in."
)
REFUSALS: dict[str, tuple[int, str]] = {
    "not_allowed": (403, NOT_ALLOWED),
    "sso_disabled": (403, "Single sign-on is not enabled for {org}."),
    "demo_idp": (
        403,
        "{org} trusts the bundled demo identity provider, whose key is public: it signs "
        "people in only to the demo organization under DJANGO_DEBUG=1.",
    ),
    "idp_initiated_disabled": (
        403,
        "Signing in from the identity provider's app tile is turned off for {org}. Start from "
        "the sign-in page instead.",
    ),
    "replay": (400, "This sign-in response was used before, so nobody was signed in."),
    "unknown_request": (
        400,
        "This sign-in attempt expired or was already completed. Start again from the sign-in page.",
    ),
    "relay_state": (
        400,
        "The sign-in response asked to continue to another site, which is not allowed.",
    ),
    "nameid_format": (
        400,
        "The identity provider did not send an email address as the Name ID. Ask your "
        "administrator to set the Name ID format to EmailAddress.",
    ),
    "expired": (400, UNVERIFIED + " It has expired: check the clocks of both systems."),
    "not_yet_valid": (400, UNVERIFIED + " It is not valid yet: check the clocks of both systems."),
}
REASON_LABELS = {
    "malformed": "not a readable SAML response",
    "unsigned": "the assertion is not signed",
    "signature_invalid": "not signed by a configured certificate",
    "deprecated_algorithm": "signed with SHA-1, which is refused",
    "assertion_count": "not exactly one assertion (signature wrapping)",
    "schema": "not valid SAML 2.0 (schema)",
    "audience": "meant for another service provider (audience)",
    "destination": "sent to another address (destination)",
    "subject_confirmation": "no valid subject confirmation (recipient, expiry or request)",
    "expired": "expired",
    "not_yet_valid": "not valid yet",
    "issuer": "issued by another identity provider",
    "idp_error": "the identity provider reported an error",
    "nameid_missing": "no Name ID",
    "invalid": "invalid",
    "replay": "used before (replay)",
    "unknown_request": "answers no pending request of this service",
    "idp_initiated_disabled": "IdP-initiated sign-in is turned off",
    "relay_state": "RelayState points off-site",
    "nameid_format": "the Name ID is not an email address",
    "not_allowed": "no one allowed to sign in has this address",
    "sso_disabled": "SSO is not enabled",
    "demo_idp": "the demo IdP is trusted outside the demo",
}


def refusal_page(reason: str, *, org: Organization) -> tuple[int, str]:
    status, message = REFUSALS.get(reason, (400, UNVERIFIED))
    return status, message.format(org=org.name)


def relay_path(value: str | None) -> str | None:
    """A RelayState or `next` as a path on this site, "" for none, None if it points away.

    Only "/..." paths: no scheme, no host, no "//" or "/\\" (browsers read both as another
    host), no control characters."""
    if not value:
        return ""
    if len(value) > 2048 or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


def idp_sso_url(*, sso: SSOConnection, demo_url: str) -> str:
    """Where AuthnRequests go: the stored SSO URL, or the dev server's own demo IdP page."""
    if sso.idp_entity_id == DEMO_ENTITY_ID and demo_idp_allowed(sso.org):
        return demo_url
    return sso.sso_url


@transaction.atomic
def saml_request_start(
    *,
    sso: SSOConnection,
    sp: saml.SPUrls,
    demo_url: str,
    next_path: str = "",
    purpose: str = SAMLRequest.Purpose.SIGN_IN,
    account: Account | None = None,
) -> str:
    """Record a new AuthnRequest for the org and return the IdP URL that carries it."""
    url, request_id = saml.authn_request_url(
        sp=sp,
        idp_entity_id=sso.idp_entity_id,
        idp_sso_url=idp_sso_url(sso=sso, demo_url=demo_url),
        certificates=sso.certificates,
        relay=next_path or "/",
    )
    now = timezone.now()
    SAMLRequest.objects.create(
        org=sso.org,
        request_id=request_id,
        purpose=purpose,
        next_path=next_path,
        account=account,
        created_at=now,
        expires_at=now + REQUEST_LIFETIME,
    )
    return url


@dataclass
class Subject:
    """Who a NameID names in the org: a console account, a person, or nobody (and why)."""

    membership: Membership | None = None
    person: Person | None = None
    why_not: str = ""  # unknown, suspended, deleted, ambiguous, invalid

    @property
    def allowed(self) -> bool:
        return self.membership is not None or self.person is not None

    def describe(self) -> str:
        if self.membership is not None:
            role = self.membership.get_role_display()
            return f"{self.membership.account.email} ({role}): the console"
        if self.person is not None:
            return f"{self.person.user_name}: My access"
        return f"nobody ({self.why_not})"


def subject_match(*, org: Organization, name_id: str) -> Subject:
    """The org's console account with this email, else its person with this userName, else
    with this primary email; all compared case-insensitively. Suspended or IdP-deleted
    people and unknown addresses are not allowed."""
    email = name_id.strip()
    try:
        validate_email(email)
    except ValidationError:
        return Subject(why_not="invalid")
    membership = (
        Membership.objects.select_related("account", "org")
        .filter(org=org, account__email=email.lower(), account__is_active=True)
        .first()
    )
    if membership is not None:
        return Subject(membership=membership)
    people = Person.objects.select_related("org").filter(org=org)
    person = people.filter(user_name__lower=Lower(Value(email))).first()
    if person is None:
        matches = list(
            people.filter(
                pk__in=PersonEmail.objects.filter(
                    person__org=org, primary=True, value__lower=Lower(Value(email))
                ).values("person_id")
            )[:2]
        )
        if len(matches) > 1:
            return Subject(why_not="ambiguous")
        person = matches[0] if matches else None
    if person is None:
        return Subject(why_not="unknown")
    if person.idp_deleted_at is not None:
        return Subject(why_not="deleted")
    if not person.is_active:
        return Subject(why_not="suspended")
    return Subject(person=person)


@dataclass
class SignIn:
    """The outcome of one ACS POST. Start a session only when `refusal` is empty."""

    org: Organization
    refusal: str = ""
    verified: bool = False
    subject: Subject | None = None
    next_path: str = ""
    test_request: SAMLRequest | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _certificate_label(sso: SSOConnection, pem: str) -> str:
    which = "second" if pem == sso.signing_certificate_2 else "first"
    end = sso.certificate_2_not_after if which == "second" else sso.certificate_not_after
    return f"the {which} certificate (valid until {end:%Y-%m-%d})" if end else which


def _verify(
    *, sso: SSOConnection, sp: saml.SPUrls, saml_response: str
) -> tuple[saml.Assertion | None, str, str]:
    """(the assertion or None, the refusal reason, the library's detail)."""
    try:
        return (
            saml.response_verify(
                saml_response=saml_response,
                sp=sp,
                idp_entity_id=sso.idp_entity_id,
                certificates=sso.certificates,
            ),
            "",
            "",
        )
    except saml.ResponseRefused as exc:
        return None, exc.reason, exc.detail


def _check(
    *,
    sso: SSOConnection,
    sp: saml.SPUrls,
    saml_response: str,
    relay_state: str,
    test_request: SAMLRequest | None,
) -> SignIn:
    org = sso.org
    result = SignIn(org=org, test_request=test_request)
    if not sso.is_enabled and test_request is None:
        result.refusal = "sso_disabled"
        return result
    if any(is_demo_certificate(pem) for pem in sso.certificates) and not demo_idp_allowed(org):
        result.refusal = "demo_idp"
        return result
    assertion, reason, detail = _verify(sso=sso, sp=sp, saml_response=saml_response)
    if assertion is None:
        result.refusal = reason
        result.details["detail"] = detail[:300]
        return result
    result.verified = True
    result.details.update(
        name_id=assertion.name_id[:320],
        assertion_id=assertion.assertion_id[:256],
        idp_initiated=assertion.in_response_to is None,
    )
    now = timezone.now()
    if assertion.in_response_to is not None:
        pending = (
            SAMLRequest.objects.select_for_update()
            .filter(
                org=org,
                request_id=assertion.in_response_to[:128],
                consumed_at__isnull=True,
                expires_at__gt=now,
            )
            .first()
        )
        if pending is None or (test_request is not None and pending.pk != test_request.pk):
            result.refusal = "unknown_request"
            return result
        if test_request is None and pending.purpose == SAMLRequest.Purpose.TEST:
            result.refusal = "unknown_request"
            return result
        pending.consumed_at = now
        pending.save(update_fields=["consumed_at"])
        result.next_path = pending.next_path
    elif test_request is not None:
        result.refusal = "unknown_request"
        return result
    elif not sso.allow_idp_initiated:
        result.refusal = "idp_initiated_disabled"
        return result
    relay = relay_path(relay_state)
    if relay is None:
        result.refusal = "relay_state"
        return result
    if assertion.in_response_to is None:
        result.next_path = relay
    try:
        with transaction.atomic():
            SAMLAssertionUse.objects.create(
                org=org,
                assertion_id=assertion.assertion_id[:256],
                used_at=now,
                expires_at=assertion.usable_until,
            )
    except IntegrityError:
        result.refusal = "replay"
        return result
    if assertion.name_id_format not in ACCEPTED_NAMEID_FORMATS:
        result.refusal = "nameid_format"
        result.details["name_id_format"] = assertion.name_id_format
        return result
    subject = subject_match(org=org, name_id=assertion.name_id)
    result.subject = subject
    if not subject.allowed:
        result.refusal = "nameid_format" if subject.why_not == "invalid" else "not_allowed"
        result.details["why"] = subject.why_not
        return result
    if test_request is not None:
        result.details.update(
            attributes=assertion.attributes,
            name_id_format=assertion.name_id_format,
            issue_instant=assertion.issue_instant.isoformat() if assertion.issue_instant else "",
            skew_seconds=round((now - assertion.issue_instant).total_seconds())
            if assertion.issue_instant
            else None,
            signed_by=_signer(sso=sso, sp=sp, saml_response=saml_response),
        )
    return result


def _signer(*, sso: SSOConnection, sp: saml.SPUrls, saml_response: str) -> str:
    """Which configured certificate verifies the response (test sign-ins only: it verifies
    once per certificate)."""
    for pem in sso.certificates:
        try:
            saml.response_verify(
                saml_response=saml_response,
                sp=sp,
                idp_entity_id=sso.idp_entity_id,
                certificates=[pem],
            )
        except saml.ResponseRefused as exc:
            if exc.reason == "replay":  # pragma: no cover - the library keeps no cache
                return _certificate_label(sso, pem)
            continue
        return _certificate_label(sso, pem)
    return "none"  # pragma: no cover - verified above with the same certificates


@transaction.atomic
def saml_response_consume(
    *, org: Organization, sp: saml.SPUrls, saml_response: str, relay_state: str
) -> SignIn:
    """Check one response posted to the org's ACS (module docstring), record the outcome
    in the audit trail, and say who may be signed in. A test sign-in's outcome is stored on
    its request for the owner to read; it never signs anyone in."""
    sso = SSOConnection.objects.select_related("org").filter(org=org).first()
    if sso is None or sso.state == SSOConnection.State.NOT_CONFIGURED:
        result = SignIn(org=org, refusal="sso_disabled")
        audit_record(
            org=org,
            actor=Actor.system(),
            action="sso.sign_in_refused",
            details={"reason": result.refusal},
        )
        return result
    test_request = _pending_test(org=org, saml_response=saml_response)
    result = _check(
        sso=sso,
        sp=sp,
        saml_response=saml_response,
        relay_state=relay_state,
        test_request=test_request,
    )
    if test_request is not None:
        return _test_record(test_request, result)
    subject = result.subject
    if result.refusal or subject is None:
        audit_record(
            org=org,
            actor=Actor.system(),
            action="sso.sign_in_refused",
            target=sso,
            details={"reason": result.refusal, **result.details},
        )
        return result
    actor = (
        Actor.of(subject.membership.account)
        if subject.membership is not None
        else Actor.of_person(subject.person)  # type: ignore[arg-type]
    )
    audit_record(
        org=org,
        actor=actor,
        action="sso.sign_in",
        target=subject.person or subject.membership.account,  # type: ignore[union-attr]
        details=result.details,
    )
    return result


def _pending_test(*, org: Organization, saml_response: str) -> SAMLRequest | None:
    """The org's pending test sign-in this response claims to answer, if any. Unverified,
    which is safe: a test only reports, it signs nobody in."""
    request_id = saml.response_in_response_to_unverified(saml_response)
    if not request_id:
        return None
    return (
        SAMLRequest.objects.select_for_update()
        .filter(
            org=org,
            request_id=request_id[:128],
            purpose=SAMLRequest.Purpose.TEST,
            consumed_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


def _test_record(test_request: SAMLRequest, result: SignIn) -> SignIn:
    subject = result.subject
    test_request.refresh_from_db()
    test_request.consumed_at = test_request.consumed_at or timezone.now()
    test_request.test_result = {
        "verified": result.verified,
        "refusal": result.refusal,
        "refusal_label": REASON_LABELS.get(result.refusal, result.refusal),
        "would_sign_in": subject.describe() if subject is not None else "",
        "why_not": subject.why_not if subject is not None else "",
        "at": timezone.now().isoformat(),
        **result.details,
    }
    test_request.save(update_fields=["consumed_at", "test_result"])
    audit_record(
        org=result.org,
        actor=Actor.of(test_request.account) if test_request.account else Actor.system(),
        action="sso.test_sign_in",
        details={
            "refusal": result.refusal,
            "name_id": result.details.get("name_id", ""),
            "would_sign_in": test_request.test_result["would_sign_in"],
        },
    )
    return result


@transaction.atomic
def saml_state_prune() -> dict[str, int]:
    """Forget requests and assertions that could no longer be accepted anyway."""
    now = timezone.now()
    requests, _ = SAMLRequest.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
    uses, _ = SAMLAssertionUse.objects.filter(expires_at__lt=now).delete()
    return {"requests": requests, "assertions": uses}


# Password sign-in under Require SSO ------------------------------------------------------


def password_sign_in_refused_orgs(*, account: Account) -> list[Organization]:
    """The orgs whose Require SSO refuses this account a password sign-in: those where it
    is an admin. (Owners keep a break-glass password sign-in.)"""
    return list(sso_required_orgs(account=account, role=Membership.Role.ADMIN))


@transaction.atomic
def password_sign_in_record(*, account: Account, refused: list[Organization]) -> None:
    """Audit a password sign-in in the orgs that require SSO: refused for an admin, or the
    owner's break-glass sign-in, which is also emailed to the owner."""
    actor = Actor.of(account)
    for org in refused:
        audit_record(
            org=org,
            actor=actor,
            action="sso.password_sign_in_refused",
            target=account,
            details={"reason": "require_sso"},
        )
    for org in sso_required_orgs(account=account, role=Membership.Role.OWNER):
        audit_record(org=org, actor=actor, action="sso.break_glass_sign_in", target=account)
        owner_change_notice_on_commit(
            org=org,
            subject="Break-glass password sign-in",
            actor=actor,
            detail=(
                f"{account.email} signed in with a password although {org.name} requires "
                "single sign-on. Owners keep this sign-in for emergencies; if it was not you, "
                "change the password now."
            ),
        )
