"""Shared fixtures: orgs with owners and admins (made by the real services), a second org
that must stay invisible, and the rule for tests that need a real service."""

import os
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.actor import Actor
from accounts.models import Account, Membership, Organization
from accounts.services.orgs import membership_add, org_create
from sso.services import sso_configure, sso_demo_settings
from tests.factories import AccountFactory

PASSWORD = "correct-horse-battery"


def require_service(name: str, available: bool, how: str) -> None:
    """Skip (with the reason printed by -ra) when a real service is missing, unless
    REQUIRE_SERVICES is set, as in CI, where a missing service is a failure."""
    if available:
        return
    message = f"{name} is not available: {how}"
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(message + " (REQUIRE_SERVICES is set)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Counters kept in the cache (mass-deactivation window, rate limits) start at zero in
    every test: the test cache is one process-wide memory, and SQLite reuses row ids after
    each test's rollback, so one test's counts would otherwise land on the next test's org."""
    from django.core.cache import cache

    cache.clear()


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
            sso_configure(org=org, settings=sso_demo_settings(), actor=Actor.system(), enable=True)
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
