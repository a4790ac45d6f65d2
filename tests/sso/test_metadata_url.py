"""IdP metadata by URL: fetched when saved and every day by beat; a failed refresh keeps the
stored metadata and tells the owner; the fetch cannot reach private addresses (SSRF)."""

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import AuditEvent, Membership
from sso import tasks
from sso.selectors import sso_get
from sso.services import sso_metadata_url_load
from tests.sso.idp import certificate_pem, metadata_xml
from tests.sso.metadata_server import metadata_server

pytestmark = pytest.mark.django_db

XML = {"Content-Type": "application/samlmetadata+xml"}


@pytest.fixture
def loopback(settings):
    settings.SSO_ALLOW_LOOPBACK_IDP = True


@pytest.fixture
def served(loopback):
    with metadata_server() as (base, routes):
        yield base, routes


@pytest.fixture
def bare(make_org):
    org = make_org("initech", sso=False)
    client = Client()
    client.force_login(Membership.objects.get(org=org, role="owner").account)
    return org, client


def _save_url(client, org, url):
    return client.post(
        f"/o/{org.slug}/settings/sso-scim/sso/", {"metadata_url": url, "enable": "on"}
    )


def test_metadata_by_url_is_fetched_when_saved(bare, served):
    org, client = bare
    base, routes = served
    routes["/idp.xml"] = (200, metadata_xml(entity_id="http://www.okta.com/exkURL"), XML)
    response = _save_url(client, org, f"{base}/idp.xml")
    assert response.status_code == 302
    sso = sso_get(org=org)
    assert (sso.state, sso.idp_entity_id, sso.metadata_url) == (
        "enabled",
        "http://www.okta.com/exkURL",
        f"{base}/idp.xml",
    )
    assert sso.metadata_refreshed_at is not None
    assert "fetched daily" in client.get(f"/o/{org.slug}/settings/sso-scim/").content.decode()


def test_a_bad_metadata_url_is_reported_next_to_the_field(bare, served):
    org, client = bare
    base, routes = served
    routes["/broken.xml"] = (200, b"<EntityDescriptor", XML)
    for path, message in (("/missing.xml", "answered HTTP 404"), ("/broken.xml", "well-formed")):
        response = _save_url(client, org, base + path)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert sso_get(org=org).state == "not_configured"


def test_the_daily_refresh_picks_up_a_new_certificate(
    bare, served, django_capture_on_commit_callbacks
):
    org, client = bare
    base, routes = served
    routes["/idp.xml"] = (200, metadata_xml(pem=certificate_pem()), XML)
    _save_url(client, org, f"{base}/idp.xml")
    new_pem = certificate_pem(days_valid=900)
    routes["/idp.xml"] = (200, metadata_xml(pem=new_pem), XML)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sso_metadata_refresh_task.delay().get() == 1
    sso = sso_get(org=org)
    assert sso.signing_certificate == new_pem
    assert AuditEvent.objects.filter(org=org, action="sso.metadata_refreshed").count() == 1
    assert [m.subject for m in mail.outbox] == ["[KisiSCIM] The IdP metadata changed"]
    # The same metadata again changes nothing and tells nobody.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sso_metadata_refresh_task.delay()
    assert mail.outbox == []
    assert AuditEvent.objects.filter(org=org, action="sso.metadata_refreshed").count() == 1


def test_a_failed_refresh_keeps_the_old_metadata_and_tells_the_owner_once(
    bare, served, django_capture_on_commit_callbacks
):
    org, client = bare
    base, routes = served
    routes["/idp.xml"] = (200, metadata_xml(), XML)
    _save_url(client, org, f"{base}/idp.xml")
    before = sso_get(org=org)
    routes["/idp.xml"] = (500, b"oops", {})
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sso_metadata_refresh_task.delay()
    after = sso_get(org=org)
    assert (after.state, after.idp_entity_id, after.signing_certificate) == (
        "enabled",
        before.idp_entity_id,
        before.signing_certificate,
    )
    assert after.metadata_refresh_error == "The metadata URL answered HTTP 500."
    assert AuditEvent.objects.filter(org=org, action="sso.metadata_refresh_failed").count() == 2
    assert [m.subject for m in mail.outbox] == [
        "[KisiSCIM] The IdP metadata could not be refreshed"
    ]
    assert mail.outbox[0].to == [f"owner@{org.slug}.example.com"]
    page = client.get(f"/o/{org.slug}/settings/sso-scim/").content.decode()
    assert "The last metadata refresh failed: The metadata URL answered HTTP 500." in page
    # Once it answers again, the error is gone.
    routes["/idp.xml"] = (200, metadata_xml(), XML)
    tasks.sso_metadata_refresh_task.delay()
    assert sso_get(org=org).metadata_refresh_error == ""


def test_the_refresh_runs_daily_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["sso-metadata-refresh-daily"]
    assert entry["task"] == "sso.tasks.sso_metadata_refresh_task"
    assert tasks.sso_metadata_refresh_task.name == entry["task"]


def _refused(url: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        sso_metadata_url_load(url)
    assert message in " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/idp.xml", "must be an https:// URL"),
        ("http://idp.example.com/idp.xml", "must be an https:// URL"),
        ("https://127.0.0.1/idp.xml", "private or reserved address"),
        ("https://localhost/idp.xml", "private or reserved address"),
        ("https://10.1.2.3/idp.xml", "private or reserved address"),
        ("https://169.254.169.254/latest/meta-data/", "private or reserved address"),
        ("https://[::1]/idp.xml", "private or reserved address"),
        ("https://[::ffff:192.168.1.1]/idp.xml", "private or reserved address"),
        ("https://user:pw@idp.example.com/idp.xml", "without a user or password"),
        ("file:///etc/passwd", "must be an https:// URL"),
    ],
)
def test_the_fetch_reaches_public_https_hosts_only(db, url, message):
    _refused(url, message)


def test_the_loopback_allowance_admits_plain_http_to_loopback_only(served):
    base, routes = served
    routes["/idp.xml"] = (200, metadata_xml(), XML)
    assert sso_metadata_url_load(f"{base}/idp.xml").metadata_url == f"{base}/idp.xml"
    _refused("http://idp.example.com/idp.xml", "must be an https:// URL")
    _refused("https://10.1.2.3/idp.xml", "private or reserved address")


def test_redirects_are_not_followed_and_size_is_limited(served):
    base, routes = served
    routes["/moved"] = (302, b"", {"Location": "http://169.254.169.254/"})
    routes["/huge"] = (200, b"<x>" + b" " * (600 * 1024) + b"</x>", XML)
    _refused(f"{base}/moved", "redirects (HTTP 302)")
    _refused(f"{base}/huge", "larger than 512 KB")
