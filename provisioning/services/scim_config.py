"""Turning SCIM on and off for an organization, and the rule that binds it to SSO: SCIM runs
only while SSO is enabled, so turning SSO off turns SCIM off and revokes its token."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.audit import audit_record
from notifications.services import owner_change_notice_on_commit
from provisioning.models import ScimConfig
from provisioning.services.tokens import scim_tokens_revoke_all
from sso.models import SSOConnection
from sso.services import sso_disable


@transaction.atomic
def scim_enable(*, org: Organization, actor: Actor) -> ScimConfig:
    """Enable SCIM; refused while the org's SSO is not enabled. Idempotent."""
    # Lock the SSO row first, in the order sso_disable takes its locks (SSO, then SCIM), so a
    # concurrent SSO disable cannot slip between the check and the write and leave SCIM on.
    sso = SSOConnection.objects.select_for_update().filter(org=org).first()
    if sso is None or sso.state != SSOConnection.State.ENABLED:
        raise ValidationError("Set up and enable SSO before enabling SCIM.", code="sso_required")
    config, _ = ScimConfig.objects.select_for_update().get_or_create(org=org)
    if not config.enabled:
        config.enabled = True
        config.changed_by = actor.account
        config.changed_at = timezone.now()
        config.save()
        audit_record(org=org, actor=actor, action="scim.enabled", target=config)
        owner_change_notice_on_commit(org=org, subject="SCIM provisioning was enabled", actor=actor)
    return config


@transaction.atomic
def scim_disable(*, org: Organization, actor: Actor) -> ScimConfig | None:
    """Disable SCIM and revoke its token; SCIM requests get 401 from then on. Idempotent."""
    config = ScimConfig.objects.select_for_update().filter(org=org).first()
    scim_tokens_revoke_all(org=org, actor=actor)
    if config is not None and config.enabled:
        config.enabled = False
        config.changed_by = actor.account
        config.changed_at = timezone.now()
        config.save()
        audit_record(org=org, actor=actor, action="scim.disabled", target=config)
        owner_change_notice_on_commit(
            org=org, subject="SCIM provisioning was disabled", actor=actor
        )
    return config


@transaction.atomic
def org_sso_disable(*, org: Organization, actor: Actor) -> SSOConnection:
    """Turn the org's SSO off, and SCIM with it (its token revoked): what the SSO & SCIM page,
    the Django admin and every other entry point call. Idempotent."""
    sso = sso_disable(org=org, actor=actor)
    scim_disable(org=org, actor=actor)
    return sso
