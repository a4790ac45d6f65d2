"""SCIM fixtures: real tokens from the token service, and a client for each org."""

import pytest

from tests.provisioning.scim.client import ScimClient, issue_token


@pytest.fixture
def scim_token(org) -> str:
    return issue_token(org)


@pytest.fixture
def scim(scim_token) -> ScimClient:
    """A SCIM client for `org`."""
    return ScimClient(scim_token)


@pytest.fixture
def scim_other(other_org) -> ScimClient:
    """A SCIM client for `other_org`, the org that must stay invisible."""
    return ScimClient(issue_token(other_org))
