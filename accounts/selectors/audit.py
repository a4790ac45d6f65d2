"""The audit trail: the org's events for its owners and admins, and one person's history."""

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.models import AuditEvent, Organization, Person

# Actions whose details name people by SCIM id (group membership, cleanup decisions) rather
# than targeting them: a person's history finds them by that id.
MEMBERSHIP_ACTIONS = (
    "group.created",
    "group.members_added",
    "group.members_removed",
    "group.members_replaced",
    "group.patched",
)
PERSON_MENTION_ACTIONS = (*MEMBERSHIP_ACTIONS, "cleanup.flagged", "cleanup.kept")

# Who, as the audit trail's filter names them.
ACTOR_WORDS = {
    "okta": AuditEvent.ActorKind.SCIM,
    "scim": AuditEvent.ActorKind.SCIM,
    "system": AuditEvent.ActorKind.SYSTEM,
}


def audit_event_list(
    *,
    org: Organization,
    actor: str = "",
    action: str = "",
    target: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The org's audit events, newest first, filtered by who ("okta", "system", or part of an
    account's email), an action or an action family ("person" for every "person.*"), a
    target (part of its name, or its exact id) and a time range [since, until)."""
    qs = AuditEvent.objects.filter(org=org)
    actor = actor.strip()
    if actor:
        kind = ACTOR_WORDS.get(actor.lower())
        qs = qs.filter(actor_kind=kind) if kind else qs.filter(actor_label__icontains=actor)
    action = action.strip()
    if action:
        family = "." not in action
        qs = qs.filter(action__startswith=f"{action}.") if family else qs.filter(action=action)
    target = target.strip()
    if target:
        qs = qs.filter(Q(target_label__icontains=target) | Q(target_id=target))
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.order_by("-created_at", "-id")


def audit_action_list(*, org: Organization) -> list[str]:
    """The actions recorded in the org, for the filter's choices (a few dozen at most)."""
    return sorted(AuditEvent.objects.filter(org=org).values_list("action", flat=True).distinct())


def audit_events_about_person(
    *, org: Organization, person: Person, before: dt.datetime | None = None, limit: int = 50
) -> list[AuditEvent]:
    """At most `limit` of the newest events about the person (before `before`): those that
    target them (by the target index) and those that name them by SCIM id in their details
    (group joins and leaves, cleanup decisions). Two bounded queries."""
    targeted = AuditEvent.objects.filter(org=org, target_type="person", target_id=person.scim_id)
    # The SCIM id is 32 hex digits: it matches nothing in the details but that id.
    mentioned = AuditEvent.objects.filter(
        org=org, action__in=PERSON_MENTION_ACTIONS, details__icontains=person.scim_id
    ).filter(created_at__gte=person.created_at)
    if before is not None:
        targeted = targeted.filter(created_at__lt=before)
        mentioned = mentioned.filter(created_at__lt=before)
    order = ("-created_at", "-id")
    events = {e.pk: e for e in targeted.order_by(*order)[:limit]}
    events.update({e.pk: e for e in mentioned.order_by(*order)[:limit]})
    return sorted(events.values(), key=lambda e: (e.created_at, e.pk), reverse=True)[:limit]
