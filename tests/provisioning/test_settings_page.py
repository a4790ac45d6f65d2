"""The owner's SSO & SCIM page, through Django's test client.

Only the org's owner may see or change it; the token is shown once, in the POST response
that created it, and nowhere else ever after.
"""

import logging
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.actor import Actor
from accounts.models import Account, AuditEvent, Membership
from provisioning.models import ScimConfig, ScimToken
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import (
    scim_token_authenticate,
    scim_token_digest,
    scim_token_generate,
)
from sso.models import SSOConnection
from sso.selectors import sso_get
from sso.services import DEMO_METADATA_PATH
from tests.factories import AccountFactory
from tests.sso.idp import certificate_pem, metadata_xml

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"kscim_[A-Za-z0-9_-]{43}")


def url(name: str, org) -> str:
    return reverse(f"provisioning:{name}", args=[org.slug])


def extract_token(response) -> str:
    match = re.search(
        r'<input type="text" id="scim-token" value="(kscim_[A-Za-z0-9_-]+)"',
        response.content.decode(),
    )
    assert match, "the token page shows no token"
    return match.group(1)


def generate(client: Client, org, *, current: str = "", confirm: bool = False):
    data = {"current": current}
    if confirm:
        data["confirm"] = "on"
    return client.post(url("scim_token_generate", org), data)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block queues on commit (the owner notices) as it would after a request:
    tests run inside a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def bare_org(make_org):
    """An org whose SSO is not configured yet."""
    return make_org("initech", sso=False)


@pytest.fixture
def bare_owner_client(bare_org) -> Client:
    client = Client()
    client.force_login(Membership.objects.get(org=bare_org, role=Membership.Role.OWNER).account)
    return client


@pytest.fixture
def scim_org(org, owner):
    """`org` with SCIM enabled by its owner (no token yet)."""
    scim_enable(org=org, actor=Actor.of(owner))
    return org


# --- Who may see it -------------------------------------------------------------------------

ALL_URLS = [
    ("sso_scim", "get"),
    ("sso_setup", "post"),
    ("sso_enable", "post"),
    ("sso_disable", "get"),
    ("sso_disable", "post"),
    ("scim_enable", "post"),
    ("scim_disable", "get"),
    ("scim_disable", "post"),
    ("scim_token_generate", "post"),
    ("scim_token_regenerate", "get"),
]


@pytest.mark.parametrize(("name", "method"), ALL_URLS)
def test_anonymous_visitors_are_sent_to_login(client, org, name, method):
    response = getattr(client, method)(url(name, org))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(("name", "method"), ALL_URLS)
def test_an_admin_of_the_org_gets_403_everywhere_and_changes_nothing(
    admin_client_org, scim_org, owner, name, method
):
    scim_token_generate(org=scim_org, actor=Actor.of(owner))
    before = list(ScimToken.objects.values_list("pk", "revoked_at"))
    data = {"confirm": "on", "current": str(ScimToken.objects.get().pk)}
    response = getattr(admin_client_org, method)(url(name, scim_org), data)
    assert response.status_code == 403
    assert list(ScimToken.objects.values_list("pk", "revoked_at")) == before
    assert ScimConfig.objects.get(org=scim_org).enabled
    assert SSOConnection.objects.get(org=scim_org).is_enabled


@pytest.mark.parametrize(("name", "method"), ALL_URLS)
def test_the_owner_of_another_org_gets_403_and_changes_nothing(
    scim_org, owner, other_org, name, method
):
    scim_token_generate(org=scim_org, actor=Actor.of(owner))
    before = list(ScimToken.objects.values_list("pk", "revoked_at"))
    other_owner = Membership.objects.get(org=other_org, role=Membership.Role.OWNER).account
    client = Client()
    client.force_login(other_owner)
    data = {"confirm": "on", "current": str(ScimToken.objects.get().pk)}
    response = getattr(client, method)(url(name, scim_org), data)
    assert response.status_code == 403
    assert list(ScimToken.objects.values_list("pk", "revoked_at")) == before
    assert ScimConfig.objects.get(org=scim_org).enabled
    assert not ScimConfig.objects.filter(org=other_org).exists()


def test_staff_and_strangers_without_a_membership_get_403(org):
    for account in (
        Account.objects.create_superuser("staff@kisiscim.example.com", "pw-staff-123456"),
        AccountFactory(email="stranger@example.com"),
    ):
        client = Client()
        client.force_login(account)
        assert client.get(url("sso_scim", org)).status_code == 403


def test_an_unknown_org_slug_gets_403(owner_client):
    response = owner_client.get(reverse("provisioning:sso_scim", args=["no-such-org"]))
    assert response.status_code == 403


def test_the_settings_page_links_the_page_for_the_owner_only(owner_client, admin_client_org, org):
    link = f'href="{url("sso_scim", org)}"'
    assert link in owner_client.get(reverse("settings", args=[org.slug])).content.decode()
    admin_settings = admin_client_org.get(reverse("settings", args=[org.slug])).content.decode()
    assert link not in admin_settings
    assert "SSO &amp; SCIM" not in admin_settings


def test_the_owner_reaches_the_page_from_settings(owner_client, org):
    response = owner_client.get(url("sso_scim", org))
    assert response.status_code == 200
    assert "<h1>SSO &amp; SCIM</h1>" in response.content.decode()
    assert response.context["nav"] == "settings"


def test_actions_are_post_only(owner_client, scim_org):
    for name in ("sso_setup", "sso_enable", "scim_enable", "scim_token_generate"):
        assert owner_client.get(url(name, scim_org)).status_code == 405
    assert owner_client.post(url("sso_scim", scim_org)).status_code == 405
    assert owner_client.post(url("scim_token_regenerate", scim_org)).status_code == 405


def test_posts_without_a_csrf_token_are_refused(owner, scim_org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(url("scim_token_generate", scim_org), {"current": ""}).status_code == 403
    assert client.post(url("scim_disable", scim_org), {"confirm": "on"}).status_code == 403
    assert not ScimToken.objects.exists()
    assert ScimConfig.objects.get(org=scim_org).enabled


# --- SSO section ----------------------------------------------------------------------------


def test_the_page_shows_what_to_enter_in_the_idp(owner_client, org, settings):
    settings.ALLOWED_HOSTS = ["console.example.com"]
    response = owner_client.get(url("sso_scim", org), HTTP_HOST="console.example.com")
    html = response.content.decode()
    assert "https://console.example.com/saml/acme/acs/" in html
    assert "https://console.example.com/saml/acme/metadata/" in html
    assert "Enabled" in html
    assert "https://idp.demo.kisiscim.invalid/saml2" in html


def test_sso_is_set_up_from_uploaded_metadata(bare_owner_client, bare_org, committed):
    mail.outbox.clear()
    xml = metadata_xml(entity_id="http://www.okta.com/exkNEW")
    with committed():
        response = bare_owner_client.post(
            url("sso_setup", bare_org),
            {"metadata": SimpleUploadedFile("okta.xml", xml, "text/xml"), "enable": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] == url("sso_scim", bare_org)
    sso = SSOConnection.objects.get(org=bare_org)
    assert sso.state == SSOConnection.State.ENABLED
    assert sso.idp_entity_id == "http://www.okta.com/exkNEW"
    assert sso.sso_url == "https://example.okta.com/app/kisiscim/exk1test/sso/saml"
    assert sso.signing_certificate.startswith("-----BEGIN CERTIFICATE-----")
    owner = sso.org.memberships.get(role="owner").account
    assert sso.updated_by == owner
    actions = set(
        AuditEvent.objects.filter(org=bare_org, actor=owner).values_list("action", flat=True)
    )
    assert {"sso.configured", "sso.enabled"} <= actions
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "SSO" in mail.outbox[0].subject


def test_sso_is_set_up_by_hand_and_left_configured_unless_enabled(bare_owner_client, bare_org):
    response = bare_owner_client.post(
        url("sso_setup", bare_org),
        {
            "entity_id": "http://www.okta.com/exkHAND",
            "sso_url": "https://example.okta.com/sso/saml",
            "certificate": certificate_pem(),
        },
    )
    assert response.status_code == 302
    sso = SSOConnection.objects.get(org=bare_org)
    assert sso.state == SSOConnection.State.CONFIGURED
    page = bare_owner_client.get(url("sso_scim", bare_org)).content.decode()
    assert "Enable SSO" in page

    response = bare_owner_client.post(url("sso_enable", bare_org))
    assert response.status_code == 302
    assert SSOConnection.objects.get(org=bare_org).is_enabled
    assert AuditEvent.objects.filter(org=bare_org, action="sso.enabled").exists()


def _field_errors(response, field: str) -> list[str]:
    return list(response.context["sso_form"].errors.get(field, []))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "entity_id": "x",
                "sso_url": "http://example.okta.com/sso",
                "certificate": "CERT",
            },
            "sso_url",
            "https://",
        ),
        (
            {"entity_id": "x", "sso_url": "https://example.okta.com/sso", "certificate": "nope"},
            "certificate",
            "could not be read",
        ),
        (
            {"entity_id": "", "sso_url": "https://example.okta.com/sso", "certificate": "CERT"},
            "entity_id",
            "entity ID",
        ),
        (
            {
                "entity_id": "x",
                "sso_url": "https://example.okta.com/sso",
                "certificate": "EXPIRED",
            },
            "certificate",
            "expired",
        ),
        (
            {
                "entity_id": "x",
                "sso_url": "https://example.okta.com/sso",
                "certificate": "FUTURE",
            },
            "certificate",
            "not valid before",
        ),
    ],
    ids=["http-sso-url", "garbage-certificate", "no-entity-id", "expired", "not-yet-valid"],
)
def test_invalid_manual_settings_are_reported_next_to_the_field_and_nothing_is_saved(
    owner_client, org, data, field, message, committed
):
    certs = {
        "CERT": certificate_pem(),
        "EXPIRED": certificate_pem(days_valid=-1),
        "FUTURE": certificate_pem(days_before=-10),
    }
    data = {k: certs.get(v, v) for k, v in data.items()}
    before = SSOConnection.objects.values().get(org=org)
    mail.outbox.clear()
    with committed():
        response = owner_client.post(url("sso_setup", org), {**data, "enable": "on"})
    assert response.status_code == 400
    errors = _field_errors(response, field)
    assert any(message in e for e in errors), errors
    html = response.content.decode()
    # The error is rendered in the field's group, right after its label and help.
    group = html.split(f'for="id_{field}"', 1)[1].split("</div>", 1)[0]
    assert message.replace("'", "&#x27;") in group
    assert SSOConnection.objects.values().get(org=org) == before
    assert not AuditEvent.objects.filter(org=org, action="sso.configured", actor__isnull=False)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<md:EntityDescriptor", "not well-formed XML"),
        (b"<html><body>Sign in</body></html>", "not SAML 2.0 IdP metadata"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "not well-formed XML",
        ),
        ("EXPIRED", "expired"),
        ("HTTP", "https://"),
    ],
    ids=["truncated", "not-saml", "dtd", "expired-certificate", "http-sso-url"],
)
def test_invalid_metadata_is_reported_on_the_upload_field_and_nothing_is_saved(
    bare_owner_client, bare_org, xml, message
):
    if xml == "EXPIRED":
        xml = metadata_xml(pem=certificate_pem(days_valid=-3))
    elif xml == "HTTP":
        xml = metadata_xml(sso_url="http://example.okta.com/sso/saml")
    response = bare_owner_client.post(
        url("sso_setup", bare_org),
        {"metadata": SimpleUploadedFile("idp.xml", xml, "text/xml"), "enable": "on"},
    )
    assert response.status_code == 400
    errors = _field_errors(response, "metadata")
    assert any(message in e for e in errors), errors
    assert sso_get(org=bare_org).state == SSOConnection.State.NOT_CONFIGURED


def test_metadata_and_manual_settings_together_or_neither_are_refused(bare_owner_client, bare_org):
    both = bare_owner_client.post(
        url("sso_setup", bare_org),
        {
            "metadata": SimpleUploadedFile("idp.xml", metadata_xml(), "text/xml"),
            "entity_id": "http://www.okta.com/x",
        },
    )
    neither = bare_owner_client.post(url("sso_setup", bare_org), {"enable": "on"})
    for response in (both, neither):
        assert response.status_code == 400
        assert response.context["sso_form"].non_field_errors()
        assert 'class="form-error"' in response.content.decode()
    assert sso_get(org=bare_org).state == SSOConnection.State.NOT_CONFIGURED


def test_replacing_the_settings_of_enabled_sso_keeps_it_enabled(owner_client, org):
    page = owner_client.get(url("sso_scim", org)).content.decode()
    assert "Replace the identity provider settings" in page
    assert 'name="enable"' not in page
    response = owner_client.post(
        url("sso_setup", org),
        {"metadata": SimpleUploadedFile("new.xml", metadata_xml(entity_id="urn:new"))},
    )
    assert response.status_code == 302
    sso = SSOConnection.objects.get(org=org)
    assert sso.is_enabled
    assert sso.idp_entity_id == "urn:new"


def test_the_demo_metadata_file_sets_up_sso(bare_owner_client, bare_org):
    response = bare_owner_client.post(
        url("sso_setup", bare_org),
        {
            "metadata": SimpleUploadedFile("demo.xml", DEMO_METADATA_PATH.read_bytes()),
            "enable": "on",
        },
    )
    assert response.status_code == 302
    assert SSOConnection.objects.get(org=bare_org).is_enabled


def test_disabling_sso_asks_for_confirmation(owner_client, scim_org, owner):
    scim_token_generate(org=scim_org, actor=Actor.of(owner))
    confirm = owner_client.get(url("sso_disable", scim_org))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "also disables SCIM" in html
    assert 'name="confirm"' in html

    unconfirmed = owner_client.post(url("sso_disable", scim_org))
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in unconfirmed.content.decode()
    assert SSOConnection.objects.get(org=scim_org).is_enabled
    assert ScimConfig.objects.get(org=scim_org).enabled


def test_disabling_sso_disables_scim_and_revokes_its_token(
    owner_client, scim_org, owner, committed
):
    _, raw = scim_token_generate(org=scim_org, actor=Actor.of(owner))
    mail.outbox.clear()
    with committed():
        response = owner_client.post(url("sso_disable", scim_org), {"confirm": "on"})
    assert response.status_code == 302
    assert SSOConnection.objects.get(org=scim_org).state == SSOConnection.State.CONFIGURED
    assert not ScimConfig.objects.get(org=scim_org).enabled
    assert ScimToken.objects.get(org=scim_org).revoked_by == owner
    assert scim_token_authenticate(f"Bearer {raw}") is None
    actions = set(
        AuditEvent.objects.filter(org=scim_org, actor=owner).values_list("action", flat=True)
    )
    assert {"sso.disabled", "scim.disabled", "scim.token_revoked"} <= actions
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "[KisiSCIM] SCIM provisioning was disabled",
        "[KisiSCIM] SSO was disabled",
        "[KisiSCIM] The SCIM token was revoked",
    ]
    assert all(m.to == [owner.email] for m in mail.outbox)


# --- SCIM section ---------------------------------------------------------------------------


def test_without_sso_enable_scim_is_disabled_and_explained(bare_owner_client, bare_org):
    html = bare_owner_client.get(url("sso_scim", bare_org)).content.decode()
    assert "set up and enable SSO above first" in html
    button = re.search(r"<button[^>]*>Enable SCIM</button>", html)
    assert button
    assert "disabled" in button.group(0)
    assert url("scim_enable", bare_org) not in html


def test_a_forged_enable_scim_post_without_sso_is_refused(bare_owner_client, bare_org):
    response = bare_owner_client.post(url("scim_enable", bare_org))
    assert response.status_code == 409
    assert "Set up and enable SSO before enabling SCIM." in response.content.decode()
    assert not ScimConfig.objects.filter(org=bare_org, enabled=True).exists()
    assert not AuditEvent.objects.filter(org=bare_org, action="scim.enabled").exists()


def test_a_forged_generate_token_post_without_scim_is_refused(owner_client, org):
    response = generate(owner_client, org)
    assert response.status_code == 409
    assert "Enable SCIM before generating a token." in response.content.decode()
    assert not ScimToken.objects.exists()


def test_enable_scim_then_generate_token_shows_the_token_once(owner_client, org, owner, committed):
    mail.outbox.clear()
    with committed():
        response = owner_client.post(url("scim_enable", org))
    assert response.status_code == 302
    assert ScimConfig.objects.get(org=org).enabled
    html = owner_client.get(url("sso_scim", org)).content.decode()
    assert ">Generate Token</button>" in html

    with committed():
        response = generate(owner_client, org, current="")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    raw = extract_token(response)
    html = response.content.decode()
    assert re.search(r'id="scim-token" value="kscim_[^"]+" readonly', html)
    assert 'data-copy="scim-token"' in html
    assert 'value="https://testserver/scim/v2/"' in html
    assert "without a leading “Bearer”" in html

    token = ScimToken.objects.get(org=org)
    assert TOKEN_RE.fullmatch(raw)
    assert token.digest == scim_token_digest(raw)
    assert token.last4 == raw[-4:]
    assert token.created_by == owner
    assert scim_token_authenticate(f"Bearer {raw}") == (org, token)

    actions = list(
        AuditEvent.objects.filter(org=org, actor=owner)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["scim.enabled", "scim.token_generated"]
    assert sorted(m.subject for m in mail.outbox) == [
        "[KisiSCIM] A new SCIM token was generated",
        "[KisiSCIM] SCIM provisioning was enabled",
    ]


def test_the_scim_base_url_is_https_on_the_requests_host(owner_client, scim_org):
    response = owner_client.post(
        url("scim_token_generate", scim_org), {"current": ""}, HTTP_HOST="localhost:8000"
    )
    assert response.context["scim_base_url"] == "https://localhost:8000/scim/v2/"


def test_afterwards_the_page_shows_only_the_masked_token(owner_client, scim_org, owner):
    raw = extract_token(generate(owner_client, scim_org))
    html = owner_client.get(url("sso_scim", scim_org)).content.decode()
    assert raw not in html
    assert not TOKEN_RE.search(html)
    assert f"kscim_…{raw[-4:]}" in html
    assert f"by {owner.email}" in html
    assert re.search(r'data-testid="token-last-used">never<', html)
    assert ">Generate Token</button>" not in html

    scim_token_authenticate(raw)
    html = owner_client.get(url("sso_scim", scim_org)).content.decode()
    assert re.search(
        r'data-testid="token-last-used"><time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC', html
    )


def test_generate_token_with_a_live_token_requires_the_regenerate_confirmation(
    owner_client, scim_org
):
    raw = extract_token(generate(owner_client, scim_org))
    live = ScimToken.objects.get()
    response = generate(owner_client, scim_org, current=str(live.pk))
    assert response.status_code == 400
    assert "Okta must be updated" in response.content.decode()
    assert ScimToken.objects.get() == live
    assert scim_token_authenticate(raw) is not None


def test_regenerate_confirms_that_okta_must_be_updated(owner_client, scim_org):
    generate(owner_client, scim_org)
    response = owner_client.get(url("scim_token_regenerate", scim_org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Okta must be updated" in html
    assert f'name="current" value="{ScimToken.objects.get().pk}"' in html
    assert 'name="confirm"' in html


def test_regenerate_revokes_the_old_token_at_once_and_shows_the_new_one(
    owner_client, scim_org, owner, committed
):
    old_raw = extract_token(generate(owner_client, scim_org))
    old = ScimToken.objects.get()
    assert scim_token_authenticate(f"Bearer {old_raw}") is not None
    mail.outbox.clear()

    with committed():
        response = generate(owner_client, scim_org, current=str(old.pk), confirm=True)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new_raw = extract_token(response)
    assert new_raw != old_raw
    assert "The previous token was revoked" in response.content.decode()

    assert scim_token_authenticate(f"Bearer {old_raw}") is None
    org, token = scim_token_authenticate(f"Bearer {new_raw}")
    assert org == scim_org
    assert token.last4 == new_raw[-4:]
    old.refresh_from_db()
    assert old.revoked_by == owner
    assert [m.subject for m in mail.outbox] == ["[KisiSCIM] A new SCIM token was generated"]
    assert f"kscim_…{old_raw[-4:]} was revoked" in mail.outbox[0].body


def test_a_resubmitted_or_stale_regenerate_changes_nothing(owner_client, scim_org):
    generate(owner_client, scim_org)
    first = ScimToken.objects.get()
    new_raw = extract_token(generate(owner_client, scim_org, current=str(first.pk), confirm=True))
    # The browser re-posts the same form (reload, back button, second tab).
    response = generate(owner_client, scim_org, current=str(first.pk), confirm=True)
    assert response.status_code == 302
    assert response["Location"] == url("sso_scim", scim_org)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The tokens changed since this page was loaded; nothing was generated."
    ]
    assert ScimToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert scim_token_authenticate(new_raw) is not None
    # A second "Generate Token" form from a page loaded before the first token existed.
    response = generate(owner_client, scim_org, current="")
    assert response.status_code == 302
    assert scim_token_authenticate(new_raw) is not None


def test_disable_scim_asks_for_confirmation_then_revokes_the_token(
    owner_client, scim_org, owner, committed
):
    raw = extract_token(generate(owner_client, scim_org))
    confirm = owner_client.get(url("scim_disable", scim_org))
    assert confirm.status_code == 200
    assert "revokes the token" in confirm.content.decode()
    assert owner_client.post(url("scim_disable", scim_org)).status_code == 400
    assert scim_token_authenticate(raw) is not None

    mail.outbox.clear()
    with committed():
        response = owner_client.post(url("scim_disable", scim_org), {"confirm": "on"})
    assert response.status_code == 302
    assert not ScimConfig.objects.get(org=scim_org).enabled
    assert scim_token_authenticate(f"Bearer {raw}") is None
    assert SSOConnection.objects.get(org=scim_org).is_enabled
    actions = set(
        AuditEvent.objects.filter(org=scim_org, actor=owner).values_list("action", flat=True)
    )
    assert {"scim.disabled", "scim.token_revoked"} <= actions
    assert sorted(m.subject for m in mail.outbox) == [
        "[KisiSCIM] SCIM provisioning was disabled",
        "[KisiSCIM] The SCIM token was revoked",
    ]
    html = owner_client.get(url("sso_scim", scim_org)).content.decode()
    assert ">Enable SCIM</button>" in html
    assert "kscim_…" not in html


def test_the_connection_panel_slot_renders_nothing_yet(owner_client, scim_org):
    response = owner_client.get(url("sso_scim", scim_org))
    assert "provisioning/_connection_panel.html" in [t.name for t in response.templates]


# --- The token stays secret -----------------------------------------------------------------


def test_the_plaintext_token_is_never_stored_logged_mailed_or_carried(
    owner_client, scim_org, owner, caplog, committed
):
    caplog.set_level(logging.DEBUG)
    with committed():
        first = generate(owner_client, scim_org)
        raw_first = extract_token(first)
        regenerated = generate(
            owner_client, scim_org, current=str(ScimToken.objects.get().pk), confirm=True
        )
        raw = extract_token(regenerated)
        owner_client.get(url("sso_scim", scim_org))
        owner_client.post(url("scim_disable", scim_org), {"confirm": "on"})

    for secret in (raw_first, raw):
        # Logs.
        assert secret not in caplog.text
        # Audit trail.
        for event in AuditEvent.objects.all():
            assert secret not in f"{event.actor_label}{event.target_label}{event.details}"
        # Emails.
        assert mail.outbox
        for message in mail.outbox:
            assert secret not in message.subject + message.body
        # The database row: digest and last four only.
        for values in ScimToken.objects.values():
            assert secret not in str(values)
        # Session, cookies (messages), URLs.
        session = owner_client.session
        assert secret not in str(dict(session.items()))
        assert secret not in str(owner_client.cookies)
        for response in (first, regenerated):
            assert "Location" not in response
            assert secret not in response.wsgi_request.get_full_path()
    assert not list(get_messages(regenerated.wsgi_request))

    # The staff admin shows the masked token only.
    staff = Client()
    staff.force_login(Account.objects.create_superuser("staff@example.com", "pw-staff-123456"))
    token = ScimToken.objects.filter(org=scim_org).first()
    for page in (
        reverse("admin:provisioning_scimtoken_changelist"),
        reverse("admin:provisioning_scimtoken_change", args=[token.pk]),
        reverse("admin:accounts_auditevent_changelist"),
    ):
        html = staff.get(page).content.decode()
        assert raw not in html
        assert raw_first not in html
        assert token.digest not in html
    assert (
        token.masked
        in staff.get(reverse("admin:provisioning_scimtoken_changelist")).content.decode()
    )


def test_a_notice_that_cannot_be_sent_does_not_lose_the_token(
    owner_client, scim_org, committed, settings, caplog
):
    """The token is committed (and the old one revoked) before the notice goes out: a mail or
    broker failure after the commit is logged, and the page still shows the new token."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with committed():
        response = generate(owner_client, scim_org)
    assert response.status_code == 200
    raw = extract_token(response)
    assert scim_token_authenticate(raw) is not None
    assert "on_commit" in caplog.text
    assert raw not in caplog.text
