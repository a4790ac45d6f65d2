"""The staff admin of SSO connections: edits go through the SSO services, are audited under the
staff account, and turning SSO off turns SCIM off and revokes its token, as on the owner's page."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, AuditEvent
from provisioning.models import ScimConfig, ScimToken
from sso.models import SSOConnection
from tests.admin_forms import form_data
from tests.provisioning.scim.client import ScimClient, issue_token
from tests.sso.idp import certificate_pem
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Account:
    return Account.objects.create_superuser("staff@kisi.example.com", PASSWORD)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _change_url(org) -> str:
    sso = SSOConnection.objects.get(org=org)
    return reverse("admin:sso_ssoconnection_change", args=[sso.pk])


def test_a_staff_sso_disable_turns_scim_off_and_revokes_its_token(staff_client, staff, org):
    token = issue_token(org)
    assert ScimClient(token).get("ServiceProviderConfig").status == 200
    url = _change_url(org)
    data = form_data(staff_client.get(url))
    data["state"] = SSOConnection.State.CONFIGURED
    assert staff_client.post(url, data).status_code == 302

    assert SSOConnection.objects.get(org=org).state == SSOConnection.State.CONFIGURED
    assert ScimConfig.objects.get(org=org).enabled is False
    assert ScimToken.objects.get(org=org).revoked_at is not None
    assert ScimClient(token).get("ServiceProviderConfig").status == 401
    actions = list(
        AuditEvent.objects.filter(org=org, actor=staff)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["sso.disabled", "scim.token_revoked", "scim.disabled"]


def test_staff_idp_settings_are_validated_and_audited(staff_client, staff, org):
    url = _change_url(org)
    data = form_data(staff_client.get(url))
    data["sso_url"] = "http://idp.example.com/sso"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "The SSO URL must be an https:// URL." in response.content.decode()
    assert not AuditEvent.objects.filter(org=org, actor=staff).exists()

    data["sso_url"] = "https://idp.example.com/sso"
    data["signing_certificate"] = certificate_pem()
    assert staff_client.post(url, data).status_code == 302
    sso = SSOConnection.objects.get(org=org)
    assert (sso.sso_url, sso.state, sso.updated_by) == (
        "https://idp.example.com/sso",
        SSOConnection.State.ENABLED,
        staff,
    )
    event = AuditEvent.objects.get(org=org, actor=staff)
    assert (event.action, event.details["sso_url"]) == ("sso.configured", sso.sso_url)
