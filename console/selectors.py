"""Reads that combine sub-domains for the console's pages: one person's story."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from access.decision import REASON_TEXT
from access.selectors import access_event_list
from accounts.models import AuditEvent, Organization, Person
from accounts.selectors.audit import MEMBERSHIP_ACTIONS, audit_events_about_person

TIMELINE_PAGE = 50

# What the IdP is called on the console's pages (Okta is the IdP the product speaks to
# first; the audit trail records it as SCIM).
IDP = "Okta"

FIELD_WORDS = {
    "user_name": "userName",
    "external_id": "external id",
    "given_name": "given name",
    "family_name": "family name",
    "display_name": "display name",
    "locale": "locale",
    "emails": "emails",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One moment of a person's story, in plain words: what (`text`, and a group when one
    is involved), `detail` (old → new values, a reason), who and when. `kind` styles it."""

    at: dt.datetime
    kind: str
    text: str
    who: str = ""
    detail: str = ""
    group_id: str = ""
    group_name: str = ""


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    # Where "Show older" continues (the oldest entry's moment), or None at the beginning.
    older_than: dt.datetime | None


def actor_words(event: AuditEvent) -> str:
    """Who acted, as a person reads it: Okta, an account's email, the system."""
    kind = event.actor_kind
    if kind == AuditEvent.ActorKind.SCIM:
        return IDP
    if kind == AuditEvent.ActorKind.SYSTEM:
        return "the system"
    if kind == AuditEvent.ActorKind.PERSON:
        return f"{event.actor_label} (themselves)" if event.actor_label else "themselves"
    return event.actor_label or event.get_actor_kind_display()


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return f"“{value}”" if value else "empty"


def _changes(details: dict[str, Any]) -> str:
    before, after = details.get("from") or {}, details.get("to") or {}
    parts = []
    for field in details.get("changed") or []:
        name = FIELD_WORDS.get(field, field)
        if field in after:
            parts.append(f"{name}: {_value(before.get(field))} → {_value(after[field])}")
        else:  # recorded before old and new values were kept
            parts.append(name)
    return "; ".join(parts)


def _person_event(event: AuditEvent, scim_id: str) -> TimelineEntry | None:
    d, who, at = event.details or {}, actor_words(event), event.created_at
    action = event.action
    if action == "person.created":
        how = "by SCIM" if event.actor_kind == AuditEvent.ActorKind.SCIM else "in the console"
        if event.actor_kind == AuditEvent.ActorKind.SYSTEM:
            how = "by the system"
        detail = "" if d.get("active", True) else "created suspended"
        if d.get("send_emails") is False:
            detail = ", ".join(p for p in (detail, "never emailed (sendEmails false)") if p)
        return TimelineEntry(at, "create", f"Created {how}", who, detail)
    if action == "person.updated":
        after = d.get("to") or {}
        text = "Renamed" if {"user_name", "given_name", "family_name"} & set(after) else "Changed"
        return TimelineEntry(at, "change", text, who, _changes(d))
    if action == "person.suspended":
        if d.get("locked"):
            return TimelineEntry(
                at, "suspend", "Suspended in the console", who, f"Reason: {d.get('reason', '')}"
            )
        return TimelineEntry(at, "suspend", "Suspended", who)
    if action == "person.reactivated":
        if d.get("lock_lifted"):
            return TimelineEntry(at, "reactivate", "Console suspension lifted: active again", who)
        return TimelineEntry(at, "reactivate", "Reactivated", who)
    if action == "person.reactivation_ignored":
        by = d.get("locked_by") or "an owner or admin"
        return TimelineEntry(
            at,
            "ignored",
            f"{who} tried to reactivate; ignored: suspended in the console by {by}",
        )
    if action == "person.deleted_by_idp":
        groups = d.get("removed_from_groups") or []
        detail = f"Removed from {', '.join(groups)}" if groups else ""
        return TimelineEntry(
            at, "suspend", "Deleted in the identity provider: suspended, hidden from SCIM", who,
            detail,
        )  # fmt: skip
    if action == "person.emailed":
        return TimelineEntry(at, "info", f"Emailed ({d.get('kind', 'a message')})", who)
    if action == "sso.sign_in":
        return TimelineEntry(at, "signin", "Signed in with SSO", who)
    if action == "cleanup.resolved":
        return TimelineEntry(at, "cleanup", "Cleanup finding resolved", who, d.get("why", ""))
    if action == "cleanup.flagged":
        if scim_id not in (d.get("scim_ids") or []):
            return None
        return TimelineEntry(
            at, "cleanup", "Flagged by the cleanup audit (suspended longer than the threshold)", who
        )
    if action == "cleanup.kept":
        if d.get("scim_id") != scim_id:
            return None
        return TimelineEntry(
            at, "cleanup", "Kept in the cleanup audit", who, f"Reason: {d.get('reason', '')}"
        )
    if action in MEMBERSHIP_ACTIONS:
        joined, left = scim_id in (d.get("joined") or []), scim_id in (d.get("left") or [])
        if not (joined or left):
            if scim_id not in (d.get("ids") or []):
                return None
            text = "Group membership changed"  # recorded before joins and leaves were told apart
        else:
            text = "Added to group" if joined else "Removed from group"
        return TimelineEntry(
            at, "group", text, who, group_id=event.target_id, group_name=event.target_label
        )
    if event.target_type == "person":
        return TimelineEntry(at, "info", event.action, who)
    return None


def _door_entry(event: Any) -> TimelineEntry:
    allowed = event.decision == "allow"
    reason = "" if allowed else REASON_TEXT.get(event.reason, event.reason)
    who = event.requested_by or "their card or phone"
    return TimelineEntry(
        event.created_at,
        "door-allow" if allowed else "door-deny",
        f"{'Allowed' if allowed else 'Denied'} at {event.door_label}",
        who,
        reason,
    )


def person_timeline(
    *,
    org: Organization,
    person: Person,
    before: dt.datetime | None = None,
    limit: int = TIMELINE_PAGE,
) -> Timeline:
    """The person's story, newest first: the audit trail's events about them (created,
    changes with old → new values, group joins and leaves, suspensions, reactivations,
    ignored IdP reactivations, SSO sign-ins, cleanup decisions) merged with their door
    events. At most `limit` entries before `before`, in three bounded queries."""
    audit = audit_events_about_person(org=org, person=person, before=before, limit=limit + 1)
    doors = access_event_list(org=org, person=person)
    if before is not None:
        doors = doors.filter(created_at__lt=before)
    entries = [e for e in (_person_event(a, person.scim_id) for a in audit) if e is not None]
    entries += [_door_entry(e) for e in doors[: limit + 1]]
    entries.sort(key=lambda e: e.at, reverse=True)
    more = len(entries) > limit or len(audit) > limit
    entries = entries[:limit]
    return Timeline(entries=entries, older_than=entries[-1].at if more and entries else None)
