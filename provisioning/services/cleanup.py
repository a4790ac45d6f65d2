"""Cleanup audits: find people suspended for too long, and carry out the owner's decisions.

Okta never deletes people, it deactivates them, so suspended people pile up. The audit flags
each suspension older than the org's threshold once (the database enforces it), in bounded
batches, and is safe to run on several workers at once. Owners and staff then delete or keep
each finding; a reactivation by the IdP resolves it on its own. Every decision is audited.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.actor import Actor
from accounts.models import GroupMembership, Organization, Person
from accounts.services.audit import audit_record
from notifications.services import owner_notice_on_commit
from provisioning.models import CleanupFinding

THRESHOLD_MIN_DAYS = 1
THRESHOLD_MAX_DAYS = 3650
REASON_MAX_LENGTH = 500


# An audit run keeps at most this many of the findings it made (for the command's printout);
# the count is always complete. Keeping them all would grow with the org: 15,000 findings in
# a 100,000-person org.
FLAGGED_KEPT = 200


@dataclass
class CleanupAuditResult:
    """What one audit run did for one org: how many it flagged (`flagged_count`), the first
    FLAGGED_KEPT of those findings (`flagged`), and how many it resolved."""

    org_slug: str
    flagged: list[CleanupFinding] = field(default_factory=list)
    flagged_count: int = 0
    resolved: int = 0


def _suspended_batches(
    org: Organization, cutoff: dt.datetime, batch_size: int
) -> Iterator[list[dict]]:
    """Unflagged suspensions older than `cutoff`, in primary-key ranges of `batch_size`, so
    memory stays bounded whatever the org's size (keyset pagination, no OFFSET)."""
    already_flagged = CleanupFinding.objects.filter(
        person=OuterRef("pk"), suspended_at=OuterRef("suspended_at")
    )
    candidates = (
        Person.objects.filter(org=org, is_active=False, suspended_at__lt=cutoff)
        .filter(~Exists(already_flagged))
        .order_by("pk")
        .values("pk", "user_name", "scim_id", "suspended_at")
    )
    last_pk = 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return
        yield batch
        last_pk = batch[-1]["pk"]


def _days(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def cleanup_audit_run(
    *, org: Organization, now: dt.datetime | None = None, batch_size: int | None = None
) -> CleanupAuditResult:
    """Flag the org's people suspended for longer than its threshold, and resolve findings
    whose person is active again (or suspended anew, or gone).

    Idempotent and safe under concurrency: each (person, suspended_at) is flagged at most
    once, enforced by a unique constraint with conflicting inserts skipped. Each batch
    commits on its own, so a crash loses at most the batch in flight and a rerun completes
    it. When new findings appear, the owner gets one digest email of them.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.CLEANUP_AUDIT_BATCH_SIZE
    result = CleanupAuditResult(org_slug=org.slug)
    result.resolved = _resolve_stale(org=org, now=now)
    cutoff = now - dt.timedelta(days=org.cleanup_threshold_days)
    run_id = uuid.uuid4()
    for batch in _suspended_batches(org, cutoff, batch_size):
        with transaction.atomic():
            CleanupFinding.objects.bulk_create(
                [
                    CleanupFinding(
                        org=org,
                        person_id=row["pk"],
                        user_name=row["user_name"],
                        scim_id=row["scim_id"],
                        suspended_at=row["suspended_at"],
                        flagged_at=now,
                        run_id=run_id,
                    )
                    for row in batch
                ],
                ignore_conflicts=True,
            )
            # Only the rows this run inserted: another worker may have won some of them.
            created = list(
                CleanupFinding.objects.filter(
                    run_id=run_id, person_id__in=[row["pk"] for row in batch]
                ).order_by("suspended_at", "pk")
            )
            if created:
                audit_record(
                    org=org,
                    actor=Actor.system(),
                    action="cleanup.flagged",
                    details={
                        "count": len(created),
                        "user_names": [f.user_name for f in created],
                        # What each person's history finds them by.
                        "scim_ids": [f.scim_id for f in created],
                    },
                )
        result.flagged_count += len(created)
        result.flagged.extend(created[: max(0, FLAGGED_KEPT - len(result.flagged))])
    if result.flagged_count:
        cleanup_digest_send(org=org)
    return result


def _resolve_stale(*, org: Organization, now: dt.datetime) -> int:
    """Resolve open findings that no longer describe a current suspension: the person was
    reactivated, suspended anew, or deleted outside the cleanup. Normally
    `cleanup_findings_resolve_for_person` does this at reactivation; this is the safety net."""
    stale = CleanupFinding.objects.filter(org=org, status=CleanupFinding.Status.OPEN).filter(
        Q(person__isnull=True)
        | Q(person__is_active=True)
        | Q(person__suspended_at__isnull=True)
        | ~Q(person__suspended_at=F("suspended_at"))
    )
    with transaction.atomic():
        pks = list(stale.values_list("pk", flat=True))
        if not pks:
            return 0
        count = CleanupFinding.objects.filter(pk__in=pks, status=CleanupFinding.Status.OPEN).update(
            status=CleanupFinding.Status.RESOLVED, decided_at=now, decided_by_label=""
        )
        audit_record(
            org=org,
            actor=Actor.system(),
            action="cleanup.resolved",
            details={"count": count, "why": "audit"},
        )
    return count


def cleanup_audit_run_all(
    *, now: dt.datetime | None = None, batch_size: int | None = None
) -> list[CleanupAuditResult]:
    """Run the audit for every org in turn (orgs are read in batches too). For the command;
    the beat job fans out one task per org instead."""
    return [
        cleanup_audit_run(org=org, now=now, batch_size=batch_size)
        for org in Organization.objects.order_by("pk").iterator(chunk_size=200)
    ]


@transaction.atomic
def cleanup_findings_resolve_for_person(*, person: Person, actor: Actor) -> int:
    """Resolve the person's open finding: they were reactivated, so it no longer applies.
    Called with the reactivation, inside its transaction, so the two commit together."""
    now = timezone.now()
    count = CleanupFinding.objects.filter(person=person, status=CleanupFinding.Status.OPEN).update(
        status=CleanupFinding.Status.RESOLVED,
        decided_at=now,
        decided_by=actor.account,
        decided_by_label=actor.email,
    )
    if count:
        audit_record(
            org=person.org,
            actor=actor,
            action="cleanup.resolved",
            target=person,
            details={"why": "reactivated"},
        )
    return count


def _open_findings_for_update(
    org: Organization, finding_ids: Iterable[int]
) -> list[CleanupFinding]:
    ids = [i for i in finding_ids if isinstance(i, int)]
    return list(
        CleanupFinding.objects.select_for_update()
        .filter(org=org, pk__in=ids, status=CleanupFinding.Status.OPEN)
        .order_by("pk")
    )


@transaction.atomic
def cleanup_findings_keep(
    *, org: Organization, finding_ids: Iterable[int], actor: Actor, reason: str
) -> int:
    """Keep the people behind these open findings (of this org only), with a reason.

    They are not flagged again until suspended anew. Returns how many were kept; findings
    already decided, or of another org, are left alone.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why these people are kept.", code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(f"The reason is longer than {REASON_MAX_LENGTH} characters.")
    findings = _open_findings_for_update(org, finding_ids)
    now = timezone.now()
    for finding in findings:
        finding.status = CleanupFinding.Status.KEPT
        finding.decided_by = actor.account
        finding.decided_by_label = actor.email
        finding.decided_at = now
        finding.reason = reason
    CleanupFinding.objects.bulk_update(
        findings, ["status", "decided_by", "decided_by_label", "decided_at", "reason"]
    )
    for finding in findings:
        audit_record(
            org=org,
            actor=actor,
            action="cleanup.kept",
            target=finding,
            details={"user_name": finding.user_name, "scim_id": finding.scim_id, "reason": reason},
        )
    return len(findings)


@transaction.atomic
def cleanup_findings_delete(*, org: Organization, finding_ids: Iterable[int], actor: Actor) -> int:
    """Delete for good the people behind these open findings (of this org only): the person,
    their emails and group memberships go; the finding and the audit trail stay.

    A person reactivated (or suspended anew) since the finding was made is never deleted:
    their finding is resolved instead. The IdP may later provision the same userName again,
    which makes a new person with a new id. Returns how many people were deleted.
    """
    findings = _open_findings_for_update(org, finding_ids)
    person_ids = [f.person_id for f in findings if f.person_id is not None]
    # Lock the people too, so a concurrent reactivation either lands first (and is seen
    # here) or waits and finds the person gone.
    people = {
        p.pk: p for p in Person.objects.select_for_update().filter(org=org, pk__in=person_ids)
    }
    now = timezone.now()
    doomed: list[Person] = []
    for finding in findings:
        person = people.get(finding.person_id)
        still_suspended = (
            person is not None
            and not person.is_active
            and person.suspended_at == finding.suspended_at
        )
        finding.decided_by = actor.account
        finding.decided_by_label = actor.email
        finding.decided_at = now
        if still_suspended:
            finding.status = CleanupFinding.Status.DELETED
            doomed.append(person)
        else:
            finding.status = CleanupFinding.Status.RESOLVED
            finding.reason = "Not deleted: the person was no longer suspended."
    CleanupFinding.objects.bulk_update(
        findings, ["status", "decided_by", "decided_by_label", "decided_at", "reason"]
    )
    groups_of: dict[int, list[str]] = {}
    for person_id, group_name in (
        GroupMembership.objects.filter(person__in=doomed)
        .order_by("group__display_name")
        .values_list("person_id", "group__display_name")
    ):
        groups_of.setdefault(person_id, []).append(group_name)
    for person in doomed:
        audit_record(
            org=org,
            actor=actor,
            action="person.deleted",
            target=person,
            details={
                "user_name": person.user_name,
                "suspended_at": person.suspended_at.isoformat(),
                "groups": groups_of.get(person.pk, []),
                "via": "cleanup",
            },
        )
    # The finding's person FK is SET NULL by the delete; its snapshots keep the history.
    Person.objects.filter(pk__in=[p.pk for p in doomed]).delete()
    return len(doomed)


@transaction.atomic
def cleanup_threshold_set(*, org: Organization, days: int, actor: Actor) -> bool:
    """Set how many days of suspension make a person a cleanup finding. Returns whether it
    changed. Takes effect at the next audit run; existing findings stay."""
    if not isinstance(days, int) or not THRESHOLD_MIN_DAYS <= days <= THRESHOLD_MAX_DAYS:
        raise ValidationError(
            f"The threshold is a number of days from {THRESHOLD_MIN_DAYS} to {THRESHOLD_MAX_DAYS}.",
            code="invalid_threshold",
        )
    locked = Organization.objects.select_for_update().get(pk=org.pk)
    old = locked.cleanup_threshold_days
    org.cleanup_threshold_days = days
    if old == days:
        return False
    Organization.objects.filter(pk=org.pk).update(cleanup_threshold_days=days)
    audit_record(
        org=org,
        actor=actor,
        action="cleanup.threshold_changed",
        target=org,
        details={"from": old, "to": days},
    )
    return True


def cleanup_page_url(org: Organization) -> str:
    """The absolute URL of the org's Cleanup audit page when the site URL is known."""
    path = reverse("cleanup:audit", kwargs={"org_slug": org.slug})
    return settings.KISISCIM_SITE_URL.rstrip("/") + path if settings.KISISCIM_SITE_URL else path


def cleanup_digest_send(*, org: Organization) -> int:
    """Queue one digest email to the org's owner of the open findings not yet announced, and
    mark them announced. Returns how many it covered (0: nothing new, nothing queued).

    The findings are claimed under row locks in the same transaction that queues the email
    (sent once it commits), so two concurrent digests for one org announce each finding once.
    """
    with transaction.atomic():
        fresh = list(
            CleanupFinding.objects.select_for_update()
            .filter(org=org, status=CleanupFinding.Status.OPEN, notified_at__isnull=True)
            .order_by("suspended_at", "pk")
            .values_list("pk", "user_name", "suspended_at")
        )
        if not fresh:
            return 0
        CleanupFinding.objects.filter(pk__in=[pk for pk, _, _ in fresh]).update(
            notified_at=timezone.now()
        )
        _, oldest_name, oldest_since = fresh[0]
        total_open = CleanupFinding.objects.filter(
            org=org, status=CleanupFinding.Status.OPEN
        ).count()
        days = (timezone.now() - oldest_since).days
        count = len(fresh)
        suspended = ngettext("%(n)d suspended person", "%(n)d suspended people", count)
        people = ngettext("%(n)d person", "%(n)d people", count) % {"n": count}
        subject = f"[KisiSCIM] {suspended % {'n': count}} to review"
        body = (
            f"The cleanup audit of {org.name} flagged {people} suspended for more than "
            f"{_days(org.cleanup_threshold_days)}.\n"
            f"The oldest: {oldest_name}, suspended {_days(days)} ago "
            f"(since {oldest_since:%Y-%m-%d}).\n"
            f"Open findings in all: {total_open}.\n\n"
            f"Review them (delete or keep): {cleanup_page_url(org)}\n"
        )
        owner_notice_on_commit(org=org, subject=subject, body=body)
    return count
