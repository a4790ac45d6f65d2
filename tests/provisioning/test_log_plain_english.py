"""The provisioning log in plain words: an Okta session through the real SCIM endpoint, and
each row saying what happened to whom, with its filters and another org kept out."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from accounts.actor import Actor
from provisioning.log_text import client_name, log_sentence
from provisioning.models import ProvisioningLogEntry, ScimToken
from provisioning.scim.redaction import MAX_STORED_READ_ANSWER
from provisioning.services.tokens import scim_token_add, scim_token_revoke
from tests.provisioning import okta_story
from tests.provisioning.scim.client import ScimClient, issue_token, okta_user

pytestmark = pytest.mark.django_db


def okta_session(scim: ScimClient) -> dict[str, str]:
    def send(method, path, body):
        response = scim.request(method, path, body)
        return response.status, response.json

    return okta_story.okta_session(send)


def sentences(org) -> list[str]:
    entries = ProvisioningLogEntry.objects.filter(org=org).order_by("created_at", "id")
    return [log_sentence(e).text for e in entries]


def test_each_row_says_what_happened_to_whom(org):
    okta_session(ScimClient(issue_token(org)))
    texts = sentences(org)
    assert texts[:-1] == okta_story.EXPECTED_SENTENCES
    last = ProvisioningLogEntry.objects.filter(org=org).latest("created_at", "id")
    assert texts[-1] == f"Rejected: {last.outcome}"
    assert "foo" in last.outcome


def test_refused_token_other_requests_and_client_names(org):
    fresh = ScimClient(issue_token(org))
    token, raw = scim_token_add(org=org, actor=Actor.system(), name="Old")
    scim_token_revoke(org=org, token_id=token.pk, actor=Actor.system())
    assert ScimClient(raw).get("Users").status == 401
    assert fresh.get("ServiceProviderConfig").status == 200
    assert fresh.get('Users?filter=userName eq "nobody@acme.example.com"').status == 200
    assert fresh.get("Users", HTTP_USER_AGENT="Microsoft.AAD/1.0").status == 200
    texts = sentences(org)
    assert texts[0] == f"Rejected: revoked token {ScimToken.objects.get(pk=token.pk).masked}"
    assert texts[1:] == [
        "Okta read the SCIM configuration (ServiceProviderConfig)",
        'Okta looked up people (userName eq "nobody@acme.example.com"): 0 found',
        "The identity provider listed people: 0 of 0",
    ]
    assert client_name("Okta SCIM Client 1.0.0") == "Okta"
    assert client_name("") == "The identity provider"


def test_page_links_people_and_groups_and_shows_the_response_redacted(owner_client, org):
    ids = okta_session(ScimClient(issue_token(org)))
    html = owner_client.get(reverse("provisioning_log:list", args=[org.slug])).content.decode()
    person_url = reverse("person_detail", args=[org.slug, ids["rosa"]])
    group_url = reverse("group_detail", args=[org.slug, ids["group"]])
    assert f'Okta created <a href="{person_url}">Rosa Parks</a>' in html
    assert f'Okta added 2 people to <a href="{group_url}">R&amp;D</a>' in html
    assert "Okta renamed group Engineering → " in html
    assert "Rejected: " in html
    assert 'data-testid="log-response"' in html
    created = ProvisioningLogEntry.objects.filter(org=org, action="created").earliest("id")
    assert json.loads(created.response_body)["id"] == ids["rosa"]
    assert "1mz050nq" not in html  # the request's password, redacted
    assert ids["rosa"] in html  # the ids, in the row's details


def test_response_body_is_redacted_and_bounded_like_the_request(org):
    scim = ScimClient(issue_token(org))
    for i in range(3):
        scim.post("Users", okta_user(f"p{i}@acme.example.com"))
    listed = scim.get("Users?count=200")
    entry = ProvisioningLogEntry.objects.filter(org=org).latest("id")
    assert json.loads(entry.response_body) == listed.json


def test_an_answer_is_redacted_before_it_is_stored():
    """The answer goes through the request's redaction: a secret key's value never lands in
    the log; a streamed answer stores nothing."""
    from django.http import HttpResponse, StreamingHttpResponse

    from provisioning.scim.redaction import response_body_for_log

    answer = HttpResponse(
        json.dumps({"userName": "ada", "password": "hunter2"}),
        content_type="application/scim+json",
    )
    stored = response_body_for_log(answer, method="POST")
    assert "hunter2" not in stored
    assert json.loads(stored)["userName"] == "ada"
    assert response_body_for_log(StreamingHttpResponse(iter([b"{}"])), method="GET") == ""


def test_a_large_answer_to_a_read_is_not_stored_but_a_write_is(org):
    """An import's pages are not copied into the log (a note says how large they were)."""
    scim = ScimClient(issue_token(org))
    for i in range(40):
        created = scim.post("Users", okta_user(f"person.{i:02d}@acme.example.com"))
    write = ProvisioningLogEntry.objects.filter(org=org, method="POST").latest("id")
    assert json.loads(write.response_body) == created.json
    page = scim.get("Users?startIndex=1&count=100")
    assert len(page.content) > MAX_STORED_READ_ANSWER
    entry = ProvisioningLogEntry.objects.filter(org=org).latest("id")
    assert entry.response_body == (
        f"[{len(page.content):,} bytes: the answer to a read is stored up to "
        f"{MAX_STORED_READ_ANSWER:,} bytes]"
    )
    assert "person.00@acme.example.com" not in entry.response_body
    lookup = scim.get('Users?filter=userName eq "person.07@acme.example.com"')
    entry = ProvisioningLogEntry.objects.filter(org=org).latest("id")
    assert json.loads(entry.response_body) == lookup.json  # a lookup is small: kept


FILTER_CASES = [
    ("outcome=ok", 9),
    ("outcome=error", 1),
    ("outcome=rejected", 1),
    ("resource=groups", 4),
    ("resource=users", 7),
    ("resource=other", 0),
]


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_filters(owner_client, org, query, expected):
    okta_session(ScimClient(issue_token(org)))
    token, raw = scim_token_add(org=org, actor=Actor.system(), name="Old")
    scim_token_revoke(org=org, token_id=token.pk, actor=Actor.system())
    ScimClient(raw).get("Users")
    url = reverse("provisioning_log:list", args=[org.slug])
    page = owner_client.get(f"{url}?{query}").context["page"]
    assert page.paginator.count == expected


def test_filter_by_person_or_group_and_dates(owner_client, org):
    ids = okta_session(ScimClient(issue_token(org)))
    url = reverse("provisioning_log:list", args=[org.slug])

    def count(query: str) -> int:
        return owner_client.get(f"{url}?{query}").context["page"].paginator.count

    assert count(f"target={ids['ada']}") == 3  # created, suspended, reactivated
    assert count("target=engineering") == 1  # the name as it was then
    assert count("target=R%26D") == 3  # renamed to it, then members added, removed
    today = dt.datetime.now(dt.UTC).date()
    assert count(f"date_from={today}&date_to={today}") == 10
    assert count(f"date_to={today - dt.timedelta(days=1)}") == 0
    ProvisioningLogEntry.objects.filter(org=org).update(
        created_at=dt.datetime(2026, 1, 5, 23, 59, tzinfo=dt.UTC)
    )
    assert count("date_from=2026-01-05&date_to=2026-01-05") == 10
    assert count("date_from=2026-01-06") == 0


def test_a_bad_date_is_a_form_error_not_a_failure(owner_client, org):
    okta_session(ScimClient(issue_token(org)))
    url = reverse("provisioning_log:list", args=[org.slug])
    response = owner_client.get(f"{url}?date_from=yesterday&outcome=error&page=zz")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a date as YYYY-MM-DD." in html
    assert response.context["page"].paginator.count == 1  # the valid filter still applies
    reversed_range = owner_client.get(f"{url}?date_from=2026-02-02&date_to=2026-02-01")
    assert reversed_range.status_code == 200
    assert "The end date is before the start date." in reversed_range.content.decode()
    assert owner_client.get(f"{url}?outcome=nonsense&resource=x").status_code == 200


def test_another_orgs_rows_never_appear_even_by_filter(owner_client, org, other_org):
    okta_session(ScimClient(issue_token(org)))
    theirs = okta_session(ScimClient(issue_token(other_org)))
    url = reverse("provisioning_log:list", args=[org.slug])
    for query in (
        "",
        f"target={theirs['rosa']}",
        "target=Rosa",
        "outcome=error",
        "resource=groups",
    ):
        response = owner_client.get(f"{url}?{query}")
        for entry in response.context["page"]:
            assert entry.org_id == org.pk
        assert theirs["rosa"] not in response.content.decode().split("<table", 1)[1]
    assert owner_client.get(f"{url}?target={theirs['rosa']}").context["page"].paginator.count == 0


def test_pages_keep_the_filters(owner_client, org):
    scim = ScimClient(issue_token(org))
    for i in range(55):
        scim.get(f"Users?startIndex={i + 1}&count=1")
    scim.get('Users?filter=foo eq "x"')
    url = reverse("provisioning_log:list", args=[org.slug])
    first = owner_client.get(f"{url}?outcome=ok&resource=users")
    assert first.context["page"].paginator.count == 55
    assert "?outcome=ok&amp;resource=users&amp;page=2" in first.content.decode()
    second = owner_client.get(f"{url}?outcome=ok&resource=users&page=2").context["page"]
    assert len(second) == 5


def test_rows_written_before_actions_were_recorded_still_read(org):
    fresh = ScimClient(issue_token(org))
    token, raw = scim_token_add(org=org, actor=Actor.system(), name="Old")
    scim_token_revoke(org=org, token_id=token.pk, actor=Actor.system())
    ScimClient(raw).get("Users")
    fresh.patch("Users/" + fresh.post("Users", okta_user()).json["id"], {"Operations": []})
    ProvisioningLogEntry.objects.filter(org=org).update(action="", target_label="", change={})
    refused, created, patched = ProvisioningLogEntry.objects.filter(org=org).order_by("id")
    assert log_sentence(refused).text.startswith("Rejected: revoked token kscim_")
    assert log_sentence(refused).outcome == "rejected"
    assert log_sentence(created).text == f"Okta sent POST {created.path}"
    assert log_sentence(patched).outcome in ("ok", "error")


def test_a_long_filter_is_shortened_in_the_sentence_and_whole_in_the_details(owner_client, org):
    scim = ScimClient(issue_token(org))
    long_name = "a" * 300 + "@acme.example.com"
    scim.get(f'Users?filter=userName eq "{long_name}"')
    text = sentences(org)[-1]
    assert text.startswith('Okta looked up people (userName eq "aaaa')
    assert text.endswith("…): 0 found")
    assert len(text) < 130
    html = owner_client.get(reverse("provisioning_log:list", args=[org.slug])).content.decode()
    assert long_name in html
