"""The SSO connection's defaults and label."""

import pytest

from sso.models import SSOConnection
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_a_new_sso_connection_is_not_configured():
    sso = SSOConnection.objects.create(org=OrganizationFactory())
    sso.refresh_from_db()
    assert sso.state == SSOConnection.State.NOT_CONFIGURED
    assert sso.is_enabled is False


def test_str(org):
    assert str(SSOConnection.objects.get(org=org)) == "SSO for Org acme (Enabled)"
