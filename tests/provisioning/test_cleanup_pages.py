"""The Cleanup audit page (owner and admins), its bulk actions, CSV export and history; the
owner's threshold setting; and the staff admin for findings and suspended people."""

import csv
import io
import re

import pytest
from django.test import Client

from accounts.models import AuditEvent, Person
from provisioning.models import CleanupFinding
from tests.factories import AccountFactory
from tests.provisioning.cleanup_support import (
    flag,
    group_with,
    make_person,
    open_findings,
    suspend_days_ago,
    suspended_people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(org, other_org) -> list[CleanupFinding]:
    """Three open findings in `org` (one in a group), and one in the other org."""
    ada = suspend_days_ago(make_person(org, "ada@acme.example.com", given_name="Ada"), 75)
    suspended_people(org, 2, days=40)
    group_with(org, "Server Room", [ada])
    suspend_days_ago(make_person(other_org, "secret@globex.example.com"), 99)
    flag(other_org)
    return flag(org)


def url(org, rest: str = "") -> str:
    return f"/o/{org.slug}/cleanup/{rest}"


def test_the_page_lists_open_findings_of_this_org_only(owner_client, org, findings):
    r = owner_client.get(url(org))
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('<tr data-finding="') == 3
    assert 'data-finding="ada@acme.example.com"' in html
    assert "Server Room" in html
    assert ">75<" in html  # days suspended
    assert "secret@globex" not in html
    assert 'aria-current="page">Cleanup audit</a>' in html
    assert "No decisions yet." in html


def test_admins_may_work_findings_others_may_not(admin_client_org, org, other_org, findings):
    assert admin_client_org.get(url(org)).status_code == 200
    assert admin_client_org.get(url(other_org)).status_code == 403
    stranger = Client()
    stranger.force_login(AccountFactory())
    assert stranger.get(url(org)).status_code == 403
    assert stranger.post(url(org, "decide/"), {"action": "keep"}).status_code == 403
    anonymous = Client().get(url(org))
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/login/?next={url(org)}")


def test_delete_asks_for_a_confirmation_naming_the_count(owner_client, org, findings):
    ids = [f.pk for f in findings[:2]]
    r = owner_client.post(url(org, "decide/"), {"action": "delete", "findings": ids})

    assert r.status_code == 200
    html = r.content.decode()
    assert "Delete 2 people permanently?" in html
    assert "Delete 2 people permanently</button>" in html
    assert Person.objects.filter(org=org).count() == 3  # nothing deleted yet


def test_confirmed_delete_removes_people_and_records_the_decision(
    owner_client, owner, org, findings
):
    ids = [f.pk for f in findings[:2]]
    r = owner_client.post(
        url(org, "decide/"), {"action": "delete", "findings": ids, "confirm": "on"}, follow=True
    )

    assert r.status_code == 200
    html = r.content.decode()
    assert "Deleted 2 people permanently." in html
    assert html.count('<tr data-finding="') == 1
    history = html[html.index('data-testid="history"') :]
    assert history.count("Deleted</span>") == 2
    assert owner.email in history
    assert Person.objects.filter(org=org).count() == 1
    assert AuditEvent.objects.filter(org=org, action="person.deleted", actor=owner).count() == 2


def test_keep_needs_a_reason(owner_client, org, findings):
    ids = [findings[0].pk]
    r = owner_client.post(url(org, "decide/"), {"action": "keep", "findings": ids}, follow=True)
    assert "Say why these people are kept." in r.content.decode()
    assert len(open_findings(org)) == 3

    r = owner_client.post(
        url(org, "decide/"),
        {"action": "keep", "findings": ids, "reason": "Long-term leave"},
        follow=True,
    )
    html = r.content.decode()
    assert "Kept 1 person." in html
    assert "Long-term leave" in html[html.index('data-testid="history"') :]
    assert len(open_findings(org)) == 2


def test_no_selection_and_forged_ids_change_nothing(owner_client, org, other_org, findings):
    r = owner_client.post(url(org, "decide/"), {"action": "delete"}, follow=True)
    assert "Select at least one person." in r.content.decode()
    r = owner_client.post(url(org, "decide/"), {"action": "delete", "findings": ["x"]}, follow=True)
    assert "The selection is not valid" in r.content.decode()
    for huge in (str(2**63), "-1"):  # past a 64-bit key: not a crash of the database driver
        r = owner_client.post(
            url(org, "decide/"),
            {"action": "delete", "findings": [huge], "confirm": "on"},
            follow=True,
        )
        assert "The selection is not valid" in r.content.decode()

    theirs = CleanupFinding.objects.get(org=other_org)
    r = owner_client.post(
        url(org, "decide/"), {"action": "delete", "findings": [theirs.pk], "confirm": "on"}
    )
    assert r.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == CleanupFinding.Status.OPEN
    assert Person.objects.filter(org=other_org).count() == 1
    assert owner_client.get(url(org, "decide/")).status_code == 405


def test_csv_export(owner_client, org, findings):
    Person.objects.filter(pk=findings[1].person_id).update(given_name="=HYPERLINK(1)")
    r = owner_client.get(url(org, "export.csv"))

    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="cleanup-acme-')
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert [row["userName"] for row in rows] == [f.user_name for f in findings]
    assert rows[0]["groups"] == "Server Room"
    assert rows[0]["days_suspended"] == "75"
    assert rows[0]["status"] == "open"
    assert rows[1]["name"].startswith("'=HYPERLINK")  # no formula for spreadsheets
    assert "globex" not in str(rows)


def test_csv_export_of_all_includes_decisions(owner_client, owner, org, findings):
    owner_client.post(
        url(org, "decide/"),
        {"action": "keep", "findings": [findings[0].pk], "reason": "VIP"},
    )
    body = b"".join(owner_client.get(url(org, "export.csv?status=all")).streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert len(rows) == 3
    assert (rows[0]["status"], rows[0]["decided_by"], rows[0]["reason"]) == (
        "kept",
        owner.email,
        "VIP",
    )
    open_rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(owner_client.get(url(org, "export.csv")).streaming_content).decode()
            )
        )
    )
    assert len(open_rows) == 2


def test_owner_sets_the_threshold_on_the_settings_page(owner_client, admin_client_org, org):
    page = owner_client.get(f"/o/{org.slug}/settings/").content.decode()
    assert 'name="days"' in page
    assert 'value="30"' in page

    r = owner_client.post(f"/o/{org.slug}/settings/cleanup/", {"days": "14"}, follow=True)
    assert "People suspended for more than 14 days will be flagged" in r.content.decode()
    org.refresh_from_db()
    assert org.cleanup_threshold_days == 14

    r = owner_client.post(f"/o/{org.slug}/settings/cleanup/", {"days": "0"}, follow=True)
    assert "Cleanup threshold:" in r.content.decode()
    org.refresh_from_db()
    assert org.cleanup_threshold_days == 14

    admin_page = admin_client_org.get(f"/o/{org.slug}/settings/").content.decode()
    assert 'name="days"' not in admin_page
    assert "more than 14 days are flagged" in admin_page
    assert (
        admin_client_org.post(f"/o/{org.slug}/settings/cleanup/", {"days": "1"}).status_code == 403
    )


# The staff admin.


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(AccountFactory(is_staff=True, is_superuser=True))
    return client


ADMIN = "/admin/provisioning/cleanupfinding/"


def test_staff_see_findings_across_orgs_with_filters_and_search(staff_client, findings):
    html = staff_client.get(ADMIN).content.decode()
    assert "ada@acme.example.com" in html
    assert "secret@globex.example.com" in html

    html = staff_client.get(ADMIN + "?suspended_days=90").content.decode()
    assert "secret@globex.example.com" in html
    assert "ada@acme.example.com" not in html
    # "ada@": a bare "ada" may match a random hexadecimal scim_id.
    html = staff_client.get(ADMIN + "?q=ada%40").content.decode()
    assert "ada@acme.example.com" in html
    assert "secret@globex" not in html
    html = staff_client.get(ADMIN + "?status__exact=kept").content.decode()
    assert "ada@acme.example.com" not in html
    assert staff_client.get(ADMIN + f"{findings[0].pk}/change/").status_code == 200


def test_staff_delete_with_confirmation(staff_client, org, other_org, findings):
    theirs = CleanupFinding.objects.get(org=other_org)
    selected = [findings[0].pk, theirs.pk]
    r = staff_client.post(
        ADMIN, {"action": "delete_people_permanently", "_selected_action": selected}
    )
    assert r.status_code == 200
    assert "Delete 2 people permanently?" in r.content.decode()
    assert Person.objects.count() == 4

    r = staff_client.post(
        ADMIN,
        {"action": "delete_people_permanently", "_selected_action": selected, "confirmed": "yes"},
        follow=True,
    )
    assert "Deleted 2 people permanently." in r.content.decode()
    assert Person.objects.filter(org=org).count() == 2
    assert Person.objects.filter(org=other_org).count() == 0
    assert set(CleanupFinding.objects.filter(pk__in=selected).values_list("status", flat=True)) == {
        "deleted"
    }


def test_staff_keep_needs_a_reason(staff_client, findings):
    selected = [findings[0].pk]
    r = staff_client.post(
        ADMIN, {"action": "keep_people", "_selected_action": selected, "confirmed": "yes"}
    )
    assert r.status_code == 200
    assert "This field is required." in r.content.decode()
    r = staff_client.post(
        ADMIN,
        {
            "action": "keep_people",
            "_selected_action": selected,
            "confirmed": "yes",
            "reason": "Legal hold",
        },
        follow=True,
    )
    assert "Kept 1 person." in r.content.decode()
    findings[0].refresh_from_db()
    assert (findings[0].status, findings[0].reason) == ("kept", "Legal hold")


def test_staff_cannot_delete_findings_themselves(staff_client, findings):
    assert "delete_selected" not in staff_client.get(ADMIN).content.decode()
    assert staff_client.get(ADMIN + f"{findings[0].pk}/delete/").status_code == 403


def test_people_admin_filters_suspended_for_more_than_n_days(staff_client, org, findings):
    make_person(org, "active@acme.example.com")
    html = staff_client.get("/admin/accounts/person/?suspended_days=60").content.decode()
    assert "ada@acme.example.com" in html
    assert "secret@globex.example.com" in html
    assert "p0@acme.example.com" not in html
    assert "active@acme.example.com" not in html


def _ticked(html: str) -> list[str]:
    """The values of the ticked finding checkboxes on the page."""
    return re.findall(r'name="findings" value="(\d+)" checked', html)


def test_a_refused_decision_keeps_the_ticked_rows_and_the_reason(
    owner_client, org, other_org, findings
):
    ids = sorted(f.pk for f in findings[:2])
    forged = CleanupFinding.objects.get(org=other_org).pk
    r = owner_client.post(
        url(org, "decide/"), {"action": "keep", "findings": [*ids, forged, "x"], "reason": " "}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "Say why these people are kept." in html
    assert sorted(int(v) for v in _ticked(html)) == ids  # the other org's id shows nowhere
    assert len(open_findings(org)) == 3

    r = owner_client.post(url(org, "decide/"), {"findings": ids[:1], "reason": "On leave"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "Choose Delete permanently or Keep." in html
    assert _ticked(html) == [str(ids[0])]
    assert 'name="reason" value="On leave"' in html

    # A page reached normally ticks nothing.
    assert _ticked(owner_client.get(url(org)).content.decode()) == []
