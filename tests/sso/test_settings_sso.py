"""The SSO half of the owner's SSO & SCIM page: sign-in options, the second certificate and
expiry warnings, Test sign-in."""

import pytest
from django.core import mail

from accounts.models import AuditEvent
from sso.selectors import sso_get
from tests.sso.idp import certificate_pem

pytestmark = pytest.mark.django_db

PAGE = "/o/acme/settings/sso-scim/"


def test_the_sign_in_options_default_to_tile_on_and_sso_not_required(owner_client, org):
    import re

    html = owner_client.get(PAGE).content.decode()
    tile = re.search(r'<input type="checkbox" name="allow_idp_initiated"[^>]*>', html).group(0)
    required = re.search(r'<input type="checkbox" name="require_sso"[^>]*>', html).group(0)
    assert " checked" in tile
    assert " checked" not in required
    assert 'data-testid="sso-test"' in html


def test_the_owner_changes_the_sign_in_options(
    owner_client, org, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"{PAGE}sso/options/", {"require_sso": "on"})
    assert response.status_code == 302
    sso = sso_get(org=org)
    assert (sso.allow_idp_initiated, sso.require_sso) == (False, True)
    event = AuditEvent.objects.get(org=org, action="sso.options_changed")
    assert event.details == {"allow_idp_initiated": False, "require_sso": True}
    assert [m.subject for m in mail.outbox] == ["[KisiSCIM] SSO sign-in options were changed"]


def test_only_the_owner_changes_the_sign_in_options(admin_client_org, org, other_org):
    assert admin_client_org.post(f"{PAGE}sso/options/", {"require_sso": "on"}).status_code == 403
    from django.test import Client

    from accounts.models import Membership

    other = Client()
    other.force_login(Membership.objects.get(org=other_org, role="owner").account)
    assert other.post(f"{PAGE}sso/options/", {"require_sso": "on"}).status_code == 403
    assert sso_get(org=org).require_sso is False


def test_a_second_certificate_by_hand_and_the_expiry_warning(owner_client, org):
    soon, later = certificate_pem(days_valid=20), certificate_pem(days_valid=400)
    response = owner_client.post(
        f"{PAGE}sso/",
        {
            "entity_id": "http://www.okta.com/exk2",
            "sso_url": "https://acme.okta.com/app/sso/saml",
            "certificate": soon,
            "certificate_2": later,
        },
    )
    assert response.status_code == 302
    assert sso_get(org=org).certificates == [soon, later]
    html = owner_client.get(PAGE).content.decode()
    assert 'data-testid="sso-certificate-2"' in html
    assert html.count('data-testid="sso-expiry-warning"') == 1
    assert "A signing certificate expires on" in html


def test_no_expiry_warning_more_than_30_days_ahead(owner_client, org):
    owner_client.post(
        f"{PAGE}sso/",
        {
            "entity_id": "http://www.okta.com/exk2",
            "sso_url": "https://acme.okta.com/app/sso/saml",
            "certificate": certificate_pem(days_valid=31),
        },
    )
    assert 'data-testid="sso-expiry-warning"' not in owner_client.get(PAGE).content.decode()


def test_a_bad_second_certificate_is_reported_and_nothing_saved(owner_client, org):
    before = sso_get(org=org).idp_entity_id
    response = owner_client.post(
        f"{PAGE}sso/",
        {
            "entity_id": "http://www.okta.com/exk2",
            "sso_url": "https://acme.okta.com/app/sso/saml",
            "certificate": certificate_pem(),
            "certificate_2": "not a certificate",
        },
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert sso_get(org=org).idp_entity_id == before
