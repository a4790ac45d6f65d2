"""The cleanup audit: which suspensions it flags, idempotency, batches, concurrency,
resolution on reactivation, kept findings, decisions, the digest, the command, pruning."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import AuditEvent, GroupMembership, Person, PersonEmail
from provisioning.models import CleanupFinding, ProvisioningLogEntry
from provisioning.services.cleanup import (
    cleanup_audit_run,
    cleanup_audit_run_all,
    cleanup_digest_send,
    cleanup_findings_delete,
    cleanup_findings_keep,
    cleanup_threshold_set,
)
from provisioning.services.lifecycle import scim_person_reactivate
from provisioning.services.log import provisioning_log_prune
from tests.provisioning.cleanup_support import (
    flag,
    group_with,
    make_person,
    open_findings,
    suspend_days_ago,
    suspended_people,
)
from tests.support import require_service

pytestmark = pytest.mark.django_db


def test_flags_only_people_suspended_longer_than_the_threshold(org, other_org):
    """Active people and recent suspensions are not flagged; each org uses its own threshold
    and sees only its own findings."""
    make_person(org, "active@acme.example.com")
    old = suspend_days_ago(make_person(org, "old@acme.example.com"), 31)
    suspend_days_ago(make_person(org, "recent@acme.example.com"), 29)
    cleanup_threshold_set(org=other_org, days=10, actor=Actor.system())
    other = suspend_days_ago(make_person(other_org, "recent@globex.example.com"), 11)

    flagged = flag(org)

    assert [(f.user_name, f.person_id, f.suspended_at) for f in flagged] == [
        ("old@acme.example.com", old.pk, old.suspended_at)
    ]
    finding = flagged[0]
    assert (finding.org_id, finding.scim_id, finding.status) == (
        org.pk,
        old.scim_id,
        CleanupFinding.Status.OPEN,
    )
    assert open_findings(other_org) == []
    assert [f.person_id for f in flag(other_org)] == [other.pk]
    assert [f.user_name for f in open_findings(org)] == ["old@acme.example.com"]


def test_running_again_creates_no_duplicates(org):
    suspended_people(org, 3)
    assert len(flag(org)) == 3
    assert flag(org) == []
    assert cleanup_audit_run(org=org).flagged_count == 0
    assert CleanupFinding.objects.filter(org=org).count() == 3


def test_the_database_refuses_a_second_finding_for_one_suspension(org):
    (person,) = suspended_people(org, 1)
    flag(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        CleanupFinding.objects.create(
            org=org,
            person=person,
            user_name=person.user_name,
            scim_id=person.scim_id,
            suspended_at=person.suspended_at,
            status=CleanupFinding.Status.KEPT,
        )


def test_reactivation_resolves_the_open_finding_in_the_same_transaction(org):
    (person,) = suspended_people(org, 1)
    (finding,) = flag(org)

    assert scim_person_reactivate(person=person) is True

    finding.refresh_from_db()
    assert finding.status == CleanupFinding.Status.RESOLVED
    assert finding.decided_at is not None
    assert finding.decided_by is None
    assert AuditEvent.objects.filter(
        org=org, action="cleanup.resolved", target_id=person.scim_id
    ).exists()
    assert flag(org) == []


def test_suspended_anew_after_reactivation_is_flagged_again_later(org):
    (person,) = suspended_people(org, 1)
    (first,) = flag(org)
    scim_person_reactivate(person=person)
    suspend_days_ago(person, 35)

    (second,) = flag(org)

    assert second.pk != first.pk
    assert second.suspended_at == person.suspended_at != first.suspended_at


def test_the_audit_resolves_findings_whose_person_is_gone_or_active(org):
    """The safety net for changes that bypassed the services (a staff delete in the admin)."""
    a, b = suspended_people(org, 2)
    flag(org)
    Person.objects.filter(pk=a.pk).delete()
    Person.objects.filter(pk=b.pk).update(is_active=True, suspended_at=None)

    result = cleanup_audit_run(org=org)

    assert result.resolved == 2
    assert open_findings(org) == []
    assert set(CleanupFinding.objects.values_list("status", flat=True)) == {"resolved"}


def test_a_kept_person_is_not_flagged_again_until_suspended_anew(org, owner):
    (person,) = suspended_people(org, 1)
    (finding,) = flag(org)

    assert (
        cleanup_findings_keep(
            org=org, finding_ids=[finding.pk], actor=Actor.of(owner), reason="On parental leave"
        )
        == 1
    )

    finding.refresh_from_db()
    assert (finding.status, finding.reason, finding.decided_by, finding.decided_by_label) == (
        CleanupFinding.Status.KEPT,
        "On parental leave",
        owner,
        owner.email,
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):
        assert flag(org) == []
    scim_person_reactivate(person=person)
    suspend_days_ago(person, 31)
    assert [f.person_id for f in flag(org)] == [person.pk]


def test_keep_needs_a_reason_and_ignores_other_orgs_findings(org, other_org, owner):
    suspended_people(org, 1)
    suspended_people(other_org, 1)
    (mine,) = flag(org)
    (theirs,) = flag(other_org)

    with pytest.raises(ValidationError):
        cleanup_findings_keep(org=org, finding_ids=[mine.pk], actor=Actor.of(owner), reason="  ")
    assert (
        cleanup_findings_keep(
            org=org, finding_ids=[mine.pk, theirs.pk], actor=Actor.of(owner), reason="Contractor"
        )
        == 1
    )

    theirs.refresh_from_db()
    assert theirs.status == CleanupFinding.Status.OPEN


def test_batches_flag_everyone_and_queries_do_not_grow_with_people(make_org):
    """Keyset batches: small batches still reach everyone; the query count depends on the
    number of batches, never on the number of people in one."""
    small, large = make_org("small"), make_org("large")
    suspended_people(small, 5)
    suspended_people(large, 23)

    with CaptureQueriesContext(connection) as few:
        assert cleanup_audit_run(org=small, batch_size=1000).flagged_count == 5
    with CaptureQueriesContext(connection) as many:
        assert cleanup_audit_run(org=large, batch_size=1000).flagged_count == 23
    assert len(many) == len(few)

    CleanupFinding.objects.filter(org=large).delete()
    result = cleanup_audit_run(org=large, batch_size=4)
    assert result.flagged_count == 23
    assert len({f.person_id for f in result.flagged}) == 23
    assert AuditEvent.objects.filter(org=large, action="cleanup.flagged").count() == 1 + 6


def test_delete_removes_the_person_and_memberships_and_keeps_the_trail(org, other_org, owner):
    a, b = suspended_people(org, 2)
    keep_active = make_person(org, "active@acme.example.com")
    group_with(org, "HQ Front Door", [a, b, keep_active])
    (theirs,) = suspended_people(other_org, 1)
    fa, _fb = flag(org)
    (their_finding,) = flag(other_org)

    deleted = cleanup_findings_delete(
        org=org, finding_ids=[fa.pk, their_finding.pk], actor=Actor.of(owner)
    )

    assert deleted == 1
    assert not Person.objects.filter(pk=a.pk).exists()
    assert not GroupMembership.objects.filter(person_id=a.pk).exists()
    assert not PersonEmail.objects.filter(person_id=a.pk).exists()
    assert GroupMembership.objects.filter(person=b).exists()
    assert Person.objects.filter(pk=theirs.pk).exists()
    fa.refresh_from_db()
    assert (fa.status, fa.person_id, fa.user_name, fa.scim_id, fa.decided_by_label) == (
        CleanupFinding.Status.DELETED,
        None,
        a.user_name,
        a.scim_id,
        owner.email,
    )
    event = AuditEvent.objects.get(action="person.deleted")
    assert (event.org_id, event.actor, event.target_id) == (org.pk, owner, a.scim_id)
    assert event.details["groups"] == ["HQ Front Door"]
    # Earlier events about the person survive its deletion.
    assert AuditEvent.objects.filter(action="person.suspended", target_id=a.scim_id).exists()


def test_delete_spares_a_person_no_longer_suspended(org, owner):
    """A reactivation that lands between the page and the click must win."""
    (person,) = suspended_people(org, 1)
    (finding,) = flag(org)
    # As a concurrent writer would, without the service's own resolution.
    Person.objects.filter(pk=person.pk).update(is_active=True, suspended_at=None)

    assert cleanup_findings_delete(org=org, finding_ids=[finding.pk], actor=Actor.of(owner)) == 0

    assert Person.objects.filter(pk=person.pk).exists()
    finding.refresh_from_db()
    assert finding.status == CleanupFinding.Status.RESOLVED


def test_threshold_is_validated_and_audited(org, owner):
    for bad in (0, -1, 3651, "30"):
        with pytest.raises(ValidationError):
            cleanup_threshold_set(org=org, days=bad, actor=Actor.of(owner))
    assert cleanup_threshold_set(org=org, days=7, actor=Actor.of(owner)) is True
    assert cleanup_threshold_set(org=org, days=7, actor=Actor.of(owner)) is False
    org.refresh_from_db()
    assert org.cleanup_threshold_days == 7
    event = AuditEvent.objects.get(action="cleanup.threshold_changed")
    assert (event.actor, event.details) == (owner, {"from": 30, "to": 7})


def test_lowering_the_threshold_flags_at_the_next_run(org, owner):
    suspended_people(org, 2, days=8)
    assert flag(org) == []
    cleanup_threshold_set(org=org, days=7, actor=Actor.of(owner))
    assert len(flag(org)) == 2


def test_digest_one_email_per_org_with_count_oldest_and_link(
    org, other_org, django_capture_on_commit_callbacks, settings
):
    settings.KISISCIM_SITE_URL = "https://console.example.com"
    suspend_days_ago(make_person(org, "oldest@acme.example.com"), 90)
    suspended_people(org, 2, days=40)
    suspended_people(other_org, 1, days=60)

    with django_capture_on_commit_callbacks(execute=True):
        results = cleanup_audit_run_all()
    with django_capture_on_commit_callbacks(execute=True):
        cleanup_audit_run_all()

    assert sorted((r.org_slug, r.flagged_count) for r in results) == [("acme", 3), ("globex", 1)]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "owner@acme.example.com",
        "owner@globex.example.com",
    ]
    acme = next(m for m in mail.outbox if m.to == ["owner@acme.example.com"])
    assert acme.subject == "[KisiSCIM] 3 suspended people to review"
    assert "oldest@acme.example.com, suspended 90 days ago" in acme.body
    assert "https://console.example.com/o/acme/cleanup/" in acme.body
    assert "globex" not in acme.body
    assert set(CleanupFinding.objects.values_list("notified_at", flat=True)) != {None}
    assert cleanup_digest_send(org=org) == 0


def test_command_prints_what_it_flagged(org, other_org, capsys):
    suspend_days_ago(make_person(org, "gone@acme.example.com"), 45)
    suspended_people(other_org, 2)

    call_command("audit_suspended", "--org", "acme")
    out = capsys.readouterr().out
    assert "acme: 1 flagged, 0 resolved" in out
    assert "gone@acme.example.com  suspended since" in out
    assert "(45 days)" in out
    assert "Flagged 1 person in 1 organization." in out
    assert open_findings(other_org) == []

    call_command("audit_suspended")
    out = capsys.readouterr().out
    assert "globex: 2 flagged" in out
    assert "Flagged 2 people in 2 organizations." in out

    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        call_command("audit_suspended", "--org", "nope")


def test_prune_deletes_log_entries_older_than_the_retention_in_batches(org, settings):
    settings.PROVISIONING_LOG_RETENTION_DAYS = 90
    now = timezone.now()
    for days in (200, 120, 91, 89, 1):
        ProvisioningLogEntry.objects.create(
            org=org,
            method="GET",
            path="/scim/v2/Users",
            status=200,
            created_at=now - dt.timedelta(days=days),
        )

    assert provisioning_log_prune(batch_size=2) == 3
    assert provisioning_log_prune() == 0
    ages = sorted((now - e.created_at).days for e in ProvisioningLogEntry.objects.all())
    assert ages == [1, 89]


def test_beat_schedule_names_registered_tasks(settings):
    from kisiscim.celery import app

    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["cleanup-audit-daily"]["task"] in app.tasks
    assert schedule["provisioning-log-prune-daily"]["task"] in app.tasks
    assert schedule["cleanup-audit-daily"]["schedule"].hour == {3}


def test_the_beat_task_audits_every_org(org, other_org, django_capture_on_commit_callbacks):
    from provisioning.tasks import cleanup_audit_task

    suspended_people(org, 2)
    suspended_people(other_org, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert cleanup_audit_task.delay().get() == 2
    assert (len(open_findings(org)), len(open_findings(other_org))) == (2, 1)
    assert len(mail.outbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_flag_each_suspension_once(org):
    """Two audits of one org at once (as two workers would) insert each finding once, and
    together report each exactly once."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set TEST_DATABASE_URL to run")
    people = suspended_people(org, 60)
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(cleanup_audit_run(org=org, batch_size=7).flagged_count)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sum(counts) == 60
    assert CleanupFinding.objects.filter(org=org).count() == 60
    assert set(CleanupFinding.objects.values_list("person_id", flat=True)) == {p.pk for p in people}
