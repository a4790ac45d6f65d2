"""Reads of the org's SSO connection."""

import pytest

from sso.models import SSOConnection
from sso.selectors import sso_get
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_sso_get(org, other_org):
    sso = sso_get(org=org)
    assert (sso.org, sso.state, sso.pk is not None) == (org, SSOConnection.State.ENABLED, True)
    bare = OrganizationFactory()
    unsaved = sso_get(org=bare)
    assert (unsaved.pk, unsaved.org, unsaved.state) == (None, bare, "not_configured")
