"""Shared fixtures: orgs with owners and admins (made by the real services), and a second org
that must stay invisible."""

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.actor import Actor
from accounts.models import Account, Membership, Organization
from accounts.services.orgs import membership_add, org_create
from sso.services import sso_configure
from tests.factories import AccountFactory
from tests.support import PASSWORD, demo_idp


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Counters kept in the cache (mass-deactivation window, rate limits) start at zero in
    every test: the test cache is one process-wide memory, and SQLite reuses row ids after
    each test's rollback, so one test's counts would otherwise land on the next test's org."""
    from django.core.cache import cache

    from kisiscim.counters import fallback_clear

    cache.clear()
    fallback_clear()


@pytest.fixture
def make_org(db) -> Callable[..., Organization]:
    counter = iter(range(1, 10_000))

    def make(slug: str | None = None, *, sso: bool = True) -> Organization:
        n = next(counter)
        slug = slug or f"org{n}"
        org, _ = org_create(
            slug=slug,
            name=f"Org {slug}",
            owner_email=f"owner@{slug}.example.com",
            owner_password=PASSWORD,
            actor=Actor.system(),
        )
        if sso:
            sso_configure(org=org, settings=demo_idp(), actor=Actor.system(), enable=True)
        return org

    return make


@pytest.fixture
def org(make_org) -> Organization:
    """An org with SSO enabled, owned by `owner`."""
    return make_org("acme")


@pytest.fixture
def other_org(make_org) -> Organization:
    """A second org: nothing of it may ever be visible from `org`."""
    return make_org("globex")


@pytest.fixture
def owner(org) -> Account:
    return Membership.objects.get(org=org, role=Membership.Role.OWNER).account


@pytest.fixture
def admin_account(org) -> Account:
    account = AccountFactory(email="admin@acme.example.com")
    membership_add(org=org, account=account, role=Membership.Role.ADMIN, actor=Actor.system())
    return account


@pytest.fixture
def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def admin_client_org(admin_account) -> Client:
    client = Client()
    client.force_login(admin_account)
    return client
