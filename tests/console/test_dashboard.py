"""The dashboard: a new org's set-up checklist, the SCIM connection's health, the counts, and
the 30-day charts with their numbers, none of it from another org."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.decision import access_check
from access.models import AccessEvent
from access.services.places import door_create, place_create
from accounts.actor import Actor
from accounts.models import Person
from provisioning.models import ProvisioningLogEntry
from tests.provisioning import okta_story
from tests.provisioning.scim.client import ScimClient, issue_token

pytestmark = pytest.mark.django_db


def okta_session(org) -> dict[str, str]:
    scim = ScimClient(issue_token(org))

    def send(method, path, body):
        response = scim.request(method, path, body)
        return response.status, response.json

    ids = okta_story.okta_session(send)
    assert scim.get("Groups").status == 200  # a good request after the 400
    return ids


def doors_and_decisions(org, *, allowed: int, denied: int) -> None:
    place = place_create(org=org, name="HQ", time_zone="Europe/Berlin", actor=Actor.system())
    door = door_create(place=place, name="Front", actor=Actor.system())
    person = Person.objects.filter(org=org).first()
    for _ in range(denied):  # no grant: denied
        access_check(door=door, person=person, source=AccessEvent.Source.CONSOLE)
    AccessEvent.objects.bulk_create(
        [
            AccessEvent(org=org, door=door, door_label="Front", decision="allow",
                        reason="allowed", source="api")
            for _ in range(allowed)
        ]
    )  # fmt: skip


def get(client, org):
    response = client.get(reverse("dashboard", args=[org.slug]))
    assert response.status_code == 200
    return response


def today_row(chart):
    return chart.rows[-1].values


def test_a_new_org_sees_the_set_up_checklist_with_links(owner_client, org):
    response = get(owner_client, org)
    steps = {s["key"]: s["done"] for s in response.context["checklist"]}
    assert steps == {"sso": True, "scim": False, "sync": False, "doors": False}
    html = response.content.decode()
    assert 'data-testid="setup-checklist"' in html
    assert reverse("provisioning:sso_scim", args=[org.slug]) in html
    assert reverse("access:doors", args=[org.slug]) in html
    assert response.context["health"].state == "off"
    assert "SCIM is off" in html
    assert 'data-testid="dash-recent-empty"' in html
    assert "No SCIM requests in the last 30 days" in html


def test_an_admin_is_told_the_owner_does_the_owners_steps(admin_client_org, org):
    html = get(admin_client_org, org).content.decode()
    assert "does this" in html
    assert reverse("provisioning:sso_scim", args=[org.slug]) not in html


def test_after_a_sync_the_health_counts_and_charts(owner_client, org, other_org):
    okta_session(org)
    doors_and_decisions(org, allowed=3, denied=2)
    okta_session(other_org)
    doors_and_decisions(other_org, allowed=7, denied=7)

    response = get(owner_client, org)
    ctx = response.context
    assert ctx["setup_done"]
    assert ctx["health"].state == "connected"
    assert (ctx["health"].connection.requests_24h, ctx["health"].connection.errors_24h) == (11, 1)
    assert ctx["doors"] == 1
    assert ctx["counts"]["active"] == 2
    charts = ctx["charts"]
    assert today_row(charts["requests"]) == [10, 1]  # successful, errors
    assert today_row(charts["changes"]) == [3, 4, 1, 1]  # created, updated, suspended, react.
    assert today_row(charts["access"]) == [3, 2]
    assert len(charts["requests"].rows) == 30
    html = response.content.decode()
    assert 'data-testid="setup-checklist"' not in html
    assert 'role="img" aria-labelledby="requests-title requests-desc"' in html
    assert '<desc id="access-desc">Over the 30 days shown: 3 allowed, 2 denied.</desc>' in html
    assert "Okta listed groups: 1 of 1" in html  # the last request, in plain words
    assert 'data-testid="dash-recent"' in html
    assert "globex" not in html.lower()


def test_days_are_utc_days_and_older_rows_fall_out(owner_client, org):
    okta_session(org)
    now = dt.datetime.now(dt.UTC)
    entries = list(ProvisioningLogEntry.objects.filter(org=org).order_by("id"))
    three_days_ago = now - dt.timedelta(days=3)
    ProvisioningLogEntry.objects.filter(pk=entries[0].pk).update(created_at=three_days_ago)
    ProvisioningLogEntry.objects.filter(pk=entries[1].pk).update(
        created_at=now - dt.timedelta(days=31)
    )
    chart = get(owner_client, org).context["charts"]["changes"]
    by_day = {row.day: row.values for row in chart.rows}
    assert by_day[three_days_ago.date()] == [1, 0, 0, 0]
    assert sum(chart.totals) == 3 + 4 + 1 + 1 - 1  # the 31-day-old row is out of the window


def test_the_dashboard_reads_in_a_constant_number_of_queries(owner_client, org):
    okta_session(org)
    doors_and_decisions(org, allowed=1, denied=1)
    with CaptureQueriesContext(connection) as small:
        get(owner_client, org)
    for _ in range(3):
        okta_session_more(org)
    AccessEvent.objects.bulk_create(
        [AccessEvent(org=org, door_label="Front", decision="deny", reason="no_grant",
                     source="api") for _ in range(50)]
    )  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        get(owner_client, org)
    assert len(large) == len(small)


def okta_session_more(org) -> None:
    scim = ScimClient(issue_token(org))
    for i in range(5):
        scim.get(f"Users?startIndex={i + 1}&count=1")


def test_a_refused_token_is_a_failing_connection(owner_client, org):
    okta_session(org)
    ScimClient("", authorization="Bearer nope").get("Users")  # no org: not this org's log
    assert get(owner_client, org).context["health"].state == "connected"
    entry = ProvisioningLogEntry.objects.filter(org=org).latest("id")
    ProvisioningLogEntry.objects.filter(pk=entry.pk).update(status=401)
    assert get(owner_client, org).context["health"].state == "failing"
