"""SAML fixtures: pysaml2 IdPs (made once per session: key generation is slow) and orgs that
trust them."""

from collections.abc import Iterator

import pytest

from accounts.actor import Actor
from accounts.services.people import EmailData, person_create
from tests.sso.saml_idp import SamlIdP
from tests.sso.support import idp_trust, sp_metadata


@pytest.fixture(scope="session")
def idp() -> Iterator[SamlIdP]:
    idp = SamlIdP()
    yield idp
    idp.close()


@pytest.fixture(scope="session")
def rogue_idp(idp) -> Iterator[SamlIdP]:
    """The same entity ID and SSO URL, another key: "signed by another key"."""
    rogue = SamlIdP(entity_id=idp.entity_id, sso_url=idp.sso_url)
    yield rogue
    rogue.close()


@pytest.fixture
def acme(org, other_org, idp, rogue_idp, client):
    """`org` (acme) and `other_org` (globex) trusting the same IdP, which knows both SPs from
    their own metadata endpoints."""
    for o in (org, other_org):
        idp_trust(o, idp)
        metadata = sp_metadata(client, o.slug)
        idp.register_sp(metadata)
        rogue_idp.register_sp(metadata)
    return org


@pytest.fixture
def ada(acme):
    """A SCIM-provisioned person of acme."""
    return person_create(
        org=acme,
        user_name="ada@acme.example.com",
        given_name="Ada",
        family_name="Lovelace",
        emails=[EmailData(value="ada.lovelace@acme.example.com", type="work", primary=True)],
        actor=Actor.scim(),
    )
