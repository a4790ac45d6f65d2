"""Groups and their members. Members are always the same org's people.

Membership changes take a constant number of queries whatever the group size: ids are
resolved in one org-scoped query, added with one bulk insert that ignores existing rows and
removed with one DELETE, so they are idempotent and concurrent adds never lose a member.

Provenance: a group the IdP creates, or changes over SCIM (Okta's *Link Group* adopts a
console-made group by name), is IdP-managed (`Group.Source.SCIM`): its members then belong
to the IdP, and console accounts and people cannot change them (the next push would undo
it). Door grants are not the group's business here: no service of this module touches them;
deleting a group deletes its grants with it (the database cascades).
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import AuditEvent, Group, GroupMembership, Organization
from accounts.selectors.people import person_pks_by_scim_id
from accounts.services.audit import audit_record
from kisiscim.exceptions import Conflict

# Audit details list at most this many member ids; the counts are always complete.
AUDIT_MEMBER_SAMPLE = 50


def _clean_name(display_name: object) -> str:
    if not isinstance(display_name, str):
        raise ValidationError({"display_name": ["displayName must be a string."]})
    name = display_name.strip()
    if not name:
        raise ValidationError({"display_name": ["displayName is required."]}, code="required")
    if len(name) > 255 or "\x00" in name:
        raise ValidationError({"display_name": ["displayName is longer than 255 characters."]})
    return name


def _clean_external_id(external_id: object) -> str:
    if external_id is None:
        return ""
    if not isinstance(external_id, str) or len(external_id) > 255 or "\x00" in external_id:
        raise ValidationError(
            {"external_id": ["externalId must be a string of at most 255 characters."]}
        )
    return external_id.strip()


def _name_conflict(name: str) -> Conflict:
    return Conflict(
        f"A group named {name!r} already exists in this organization.", field="display_name"
    )


def _resolve_members(org: Organization, member_ids: Iterable[str]) -> list[int]:
    """Map SCIM ids to the org's person pks; any id outside the org is a ValidationError."""
    wanted = list(dict.fromkeys(member_ids))
    found = person_pks_by_scim_id(org=org, scim_ids=wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise ValidationError(
            {"members": [f"No person with id {shown} exists in this organization."]},
            code="unknown_member",
        )
    return [found[i] for i in wanted]


# Who may never change an IdP-managed group's members: console accounts, people acting for
# themselves and integrations. SCIM owns them; the system (commands, seeding) may.
_CONSOLE_KINDS = (
    AuditEvent.ActorKind.ACCOUNT,
    AuditEvent.ActorKind.PERSON,
    AuditEvent.ActorKind.API,
)


def _claim_or_refuse(group: Group, actor: Actor) -> None:
    """A SCIM change makes the group IdP-managed; a console change of an IdP-managed group's
    members is refused."""
    if actor.is_scim:
        if group.source != Group.Source.SCIM:
            group.source = Group.Source.SCIM
            Group.objects.filter(pk=group.pk).update(source=Group.Source.SCIM)
    elif actor.kind in _CONSOLE_KINDS and group.source == Group.Source.SCIM:
        raise ValidationError(
            f"The members of {group.display_name} are managed by your identity provider: "
            "change them there.",
            code="idp_managed",
        )


@transaction.atomic
def group_create(
    *,
    org: Organization,
    display_name: str,
    external_id: str = "",
    member_ids: Iterable[str] = (),
    actor: Actor,
) -> Group:
    """Create a group, with members if given. A case-insensitive duplicate name is a Conflict."""
    name = _clean_name(display_name)
    external_id = _clean_external_id(external_id)
    person_pks = _resolve_members(org, member_ids)
    now = timezone.now()
    group = Group(
        org=org,
        display_name=name,
        external_id=external_id,
        source=Group.Source.SCIM if actor.is_scim else Group.Source.CONSOLE,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            group.save(force_insert=True)
    except IntegrityError as exc:
        raise _name_conflict(name) from exc
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, person_id=pk, created_at=now) for pk in person_pks]
    )
    audit_record(
        org=org,
        actor=actor,
        action="group.created",
        target=group,
        details={
            "members": len(person_pks),
            "source": group.source,
            "joined": list(dict.fromkeys(member_ids))[:AUDIT_MEMBER_SAMPLE],
        },
    )
    return group


@transaction.atomic
def group_update(
    *,
    group: Group,
    display_name: str | None = None,
    external_id: str | None = None,
    actor: Actor,
) -> list[str]:
    """Rename a group and/or change its externalId. Repeating the current name is a no-op
    (Okta resends it with every membership change), never a conflict with itself."""
    changed: list[str] = []
    if actor.is_scim:
        _claim_or_refuse(group, actor)
    if display_name is not None:
        name = _clean_name(display_name)
        if name != group.display_name:
            group.display_name = name
            changed.append("display_name")
    if external_id is not None:
        ext = _clean_external_id(external_id)
        if ext != group.external_id:
            group.external_id = ext
            changed.append("external_id")
    if changed:
        group.updated_at = timezone.now()
        try:
            with transaction.atomic():
                group.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            raise _name_conflict(group.display_name) from exc
        audit_record(
            org=group.org,
            actor=actor,
            action="group.updated",
            target=group,
            details={"changed": changed},
        )
    return changed


def _lock_and_touch(group: Group) -> None:
    """Before a change of the group's members: its `updated_at` (meta.lastModified) is now,
    and the UPDATE that says so holds the group's row lock until the transaction ends, which
    serialises membership changes of one group (PostgreSQL; SQLite locks the whole file). One
    statement for both."""
    group.updated_at = timezone.now()
    Group.objects.filter(pk=group.pk).update(updated_at=group.updated_at)


def _record_members(
    group: Group,
    action: str,
    ids: list[str],
    count: int,
    actor: Actor,
    joined: Sequence[str] = (),
    left: Sequence[str] = (),
) -> None:
    # `joined` and `left` (samples of SCIM ids) are what a person's history reads.
    audit_record(
        org=group.org,
        actor=actor,
        action=action,
        target=group,
        details={
            "count": count,
            "ids": ids[:AUDIT_MEMBER_SAMPLE],
            "joined": list(joined)[:AUDIT_MEMBER_SAMPLE],
            "left": list(left)[:AUDIT_MEMBER_SAMPLE],
        },
    )


def _replacement(group: Group, ids: list[str], pks: list[int]) -> tuple[list[str], list[str]]:
    """Who a replacement of the members by `ids` (their `pks`) adds and who it removes, as
    SCIM ids, for the audit event and the people's history (one query: the members now).
    Okta resends the whole list on every push: only real joins and leaves are recorded."""
    current = dict(
        GroupMembership.objects.filter(group=group).values_list("person_id", "person__scim_id")
    )
    keep = set(pks)
    joined = [scim_id for scim_id, pk in zip(ids, pks, strict=True) if pk not in current]
    left = [scim_id for pk, scim_id in current.items() if pk not in keep]
    return joined, left


@transaction.atomic
def group_members_add(
    *,
    group: Group,
    member_ids: Iterable[str],
    actor: Actor,
) -> int:
    """Add people (by SCIM id) to the group; existing members are left as they are."""
    _claim_or_refuse(group, actor)
    ids = list(dict.fromkeys(member_ids))
    person_pks = _resolve_members(group.org, ids)
    if not person_pks:
        return 0
    _lock_and_touch(group)
    now = timezone.now()
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, person_id=pk, created_at=now) for pk in person_pks],
        ignore_conflicts=True,
    )
    _record_members(group, "group.members_added", ids, len(ids), actor, joined=ids)
    return len(person_pks)


@transaction.atomic
def group_members_remove(
    *,
    group: Group,
    member_ids: Iterable[str],
    actor: Actor,
) -> int:
    """Remove people (by SCIM id) from the group; removing a non-member is a no-op."""
    _claim_or_refuse(group, actor)
    ids = list(dict.fromkeys(member_ids))
    person_pks = _resolve_members(group.org, ids)
    if not person_pks:
        return 0
    _lock_and_touch(group)
    removed, _ = GroupMembership.objects.filter(group=group, person_id__in=person_pks).delete()
    _record_members(group, "group.members_removed", ids, removed, actor, left=ids)
    return removed


@transaction.atomic
def group_members_set(
    *,
    group: Group,
    member_ids: Iterable[str],
    actor: Actor,
) -> None:
    """Make the group's members exactly these people (an empty list empties the group)."""
    _claim_or_refuse(group, actor)
    ids = list(dict.fromkeys(member_ids))
    person_pks = _resolve_members(group.org, ids)
    _lock_and_touch(group)
    joined, left = _replacement(group, ids, person_pks)
    GroupMembership.objects.filter(group=group).exclude(person_id__in=person_pks).delete()
    now = timezone.now()
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, person_id=pk, created_at=now) for pk in person_pks],
        ignore_conflicts=True,
    )
    _record_members(group, "group.members_replaced", ids, len(ids), actor, joined=joined, left=left)


# No savepoint of its own: its one caller, the SCIM endpoint, runs each write request in one
# transaction that rolls back whole on any error (a savepoint would be two more statements).
@transaction.atomic(savepoint=False)
def group_patch(
    *,
    group: Group,
    display_name: str | None = None,
    external_id: str | None = None,
    members_set: Iterable[str] | None = None,
    members_add: Iterable[str] = (),
    members_remove: Iterable[str] = (),
    mentioned: Iterable[str] = (),
    actor: Actor,
) -> bool:
    """Apply one PATCH's net effect in one go: field changes, then either the exact member
    list (`members_set`) or members to add and to remove. Every id the PATCH `mentioned`
    must be one of the org's people (a ValidationError otherwise), even when later
    operations cancelled it. A constant number of queries whatever the number of operations,
    and one audit event ("group.patched"). Returns whether anything changed."""
    changed: list[str] = []
    if display_name is not None:
        name = _clean_name(display_name)
        if name != group.display_name:
            group.display_name = name
            changed.append("display_name")
    if external_id is not None:
        ext = _clean_external_id(external_id)
        if ext != group.external_id:
            group.external_id = ext
            changed.append("external_id")
    to_set = None if members_set is None else list(dict.fromkeys(members_set))
    to_add = list(dict.fromkeys(members_add))
    to_remove = list(dict.fromkeys(members_remove))
    every = list(dict.fromkeys([*mentioned, *(to_set or []), *to_add, *to_remove]))
    pks = dict(zip(every, _resolve_members(group.org, every), strict=True))
    if changed:
        group.updated_at = timezone.now()
        try:
            with transaction.atomic():
                group.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            raise _name_conflict(group.display_name) from exc
    removed = 0
    left: list[str] = to_remove
    joined: list[str] = to_add
    members_touched = to_set is not None or bool(to_add) or bool(to_remove)
    if members_touched:
        _lock_and_touch(group)
        now = timezone.now()
        if to_set is not None:
            keep = [pks[i] for i in to_set]
            joined, left = _replacement(group, to_set, keep)
            removed, _ = (
                GroupMembership.objects.filter(group=group).exclude(person_id__in=keep).delete()
            )
            to_add = to_set
        elif to_remove:
            removed, _ = GroupMembership.objects.filter(
                group=group, person_id__in=[pks[i] for i in to_remove]
            ).delete()
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=group, person_id=pks[i], created_at=now) for i in to_add],
            ignore_conflicts=True,
        )
    if not (changed or members_touched):
        return False
    audit_record(
        org=group.org,
        actor=actor,
        action="group.patched",
        target=group,
        details={
            "changed": changed,
            "replaced": to_set is not None,
            "added": len(to_add),
            "removed": removed,
            "ids": [*to_add, *to_remove][:AUDIT_MEMBER_SAMPLE],
            "joined": joined[:AUDIT_MEMBER_SAMPLE],
            "left": left[:AUDIT_MEMBER_SAMPLE],
        },
    )
    return True


@transaction.atomic
def group_delete(*, group: Group, actor: Actor) -> None:
    """Delete a group, its memberships and its door grants (the database cascades); its
    people are untouched. A SCIM DELETE of a pushed group lands here: the doors it opened
    are then opened by no one through it."""
    audit_record(
        org=group.org,
        actor=actor,
        action="group.deleted",
        target=group,
    )
    group.delete()
