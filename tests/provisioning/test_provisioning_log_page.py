"""The owner's Provisioning log page, the connection panel, and the staff admin view."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account
from provisioning.models import ProvisioningLogEntry
from tests.provisioning.scim.client import ScimClient, issue_token, okta_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic(org, other_org):
    """Real SCIM traffic for both orgs: a success, a conflict and an unauthenticated call."""
    scim = ScimClient(issue_token(org))
    assert scim.post("Users", okta_user("ada@acme.example.com")).status == 201
    assert scim.post("Users", okta_user("ADA@acme.example.com")).status == 409
    assert ScimClient("", authorization="Bearer nope").get("Users").status == 401
    other = ScimClient(issue_token(other_org))
    assert other.post("Users", okta_user("secret@globex.example.com")).status == 201
    return scim


def test_owner_sees_own_requests_newest_first_without_secrets(owner_client, org, traffic):
    response = owner_client.get(reverse("provisioning_log:list", args=[org.slug]))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert [(e.method, e.status) for e in page] == [("POST", 409), ("POST", 201)]
    html = response.content.decode()
    assert "ada@acme.example.com" in html
    assert "secret@globex" not in html
    assert "1mz050nq" not in html  # Okta's placeholder password never reaches the log
    assert "[redacted]" in html
    assert traffic.token not in html
    assert "A person with userName" in html  # the 409's detail, as the outcome


def test_errors_filter_and_pagination(owner_client, org, traffic):
    url = reverse("provisioning_log:list", args=[org.slug])
    errors = list(owner_client.get(url + "?outcome=error").context["page"])
    assert [e.status for e in errors] == [409]
    for i in range(60):
        traffic.get(f"Users?count=1&startIndex={i + 1}")
    first = owner_client.get(url).context["page"]
    assert (len(first), first.paginator.count, first.paginator.num_pages) == (50, 62, 2)
    second = owner_client.get(url + "?page=2").context["page"]
    assert len(second) == 12


def test_only_the_owner_may_open_it(admin_client_org, org, other_org, traffic):
    url = reverse("provisioning_log:list", args=[org.slug])
    assert admin_client_org.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    other_owner = Client()
    other_owner.force_login(Account.objects.get(email=f"owner@{other_org.slug}.example.com"))
    assert other_owner.get(url).status_code == 403
    dashboard = admin_client_org.get(reverse("dashboard", args=[org.slug])).content.decode()
    assert "Provisioning log" not in dashboard


def test_connection_panel_on_the_sso_scim_page(owner_client, org, traffic):
    response = owner_client.get(reverse("provisioning:sso_scim", args=[org.slug]))
    assert response.status_code == 200
    stats = response.context["scim_connection"]
    assert (stats.requests_24h, stats.errors_24h) == (2, 1)
    assert stats.last.status == 409
    html = response.content.decode()
    assert 'data-testid="scim-requests-24h">2<' in html
    assert 'data-testid="scim-errors-24h">1<' in html


def test_staff_admin_lists_every_org_read_only(client, org, traffic):
    staff = Account.objects.create_superuser("staff@kisiscim.example.com", "correct-horse-battery")
    client.force_login(staff)
    response = client.get(reverse("admin:provisioning_provisioninglogentry_changelist"))
    assert response.status_code == 200
    assert ProvisioningLogEntry.objects.count() == 4
    entry = ProvisioningLogEntry.objects.filter(org=org, status=201).get()
    detail = client.get(
        reverse("admin:provisioning_provisioninglogentry_change", args=[entry.pk])
    ).content.decode()
    assert "kscim_…" in detail
    assert traffic.token not in detail
    assert "1mz050nq" not in detail
