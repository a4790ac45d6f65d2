"""Organizations, their owner and admins, and console accounts."""

import pytest
from django.core.exceptions import ValidationError

from accounts.actor import Actor
from accounts.models import Account, AuditEvent, Membership, Organization
from accounts.services.orgs import membership_add, org_create, org_owner_transfer
from kisiscim.exceptions import Conflict
from sso.models import SSOConnection
from sso.selectors import sso_get
from tests.factories import AccountFactory
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        Organization.objects.count(),
        Account.objects.count(),
        Membership.objects.count(),
        SSOConnection.objects.count(),
        AuditEvent.objects.count(),
    )


def test_org_create_makes_the_org_and_its_owner_with_sso_not_configured():
    org, owner = org_create(
        slug="initech",
        name="  Initech  ",
        owner_email="Peter@Initech.Example.com",
        owner_password=PASSWORD,
        actor=Actor.system(),
    )
    assert (org.slug, org.name, org.cleanup_threshold_days) == ("initech", "Initech", 30)
    assert owner.email == "peter@initech.example.com"
    assert owner.check_password(PASSWORD)
    assert list(Membership.objects.filter(org=org).values_list("account", "role")) == [
        (owner.pk, "owner")
    ]
    assert sso_get(org=org).state == SSOConnection.State.NOT_CONFIGURED
    event = AuditEvent.objects.get(org=org)
    assert (event.action, event.actor_kind, event.actor, event.target_label, event.details) == (
        "org.created",
        AuditEvent.ActorKind.SYSTEM,
        None,
        "Initech",
        {"owner": "peter@initech.example.com"},
    )


def test_org_create_reuses_an_existing_account_as_owner(org, owner):
    """An account may own several orgs; its password is left alone."""
    second, same = org_create(
        slug="acme-eu",
        name="Acme EU",
        owner_email="OWNER@acme.example.com",
        owner_password=None,
        actor=Actor.system(),
    )
    assert same.pk == owner.pk
    assert same.check_password(PASSWORD)
    assert Membership.objects.get(org=second).account == owner
    assert Account.objects.filter(email__startswith="owner@acme").count() == 1


def test_org_create_records_the_acting_account(owner):
    org, _ = org_create(
        slug="hooli", name="Hooli", owner_email="gavin@hooli.example.com",
        owner_password=PASSWORD, actor=Actor.of(owner),
    )  # fmt: skip
    event = AuditEvent.objects.get(org=org)
    assert (event.actor, event.actor_kind, event.actor_label) == (owner, "account", owner.email)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"slug": "Bad Slug"}, ValidationError, "Invalid slug 'Bad Slug'"),
        ({"slug": "-acme"}, ValidationError, "Invalid slug '-acme'"),
        ({"slug": "a" * 64}, ValidationError, "Invalid slug"),
        ({"slug": ""}, ValidationError, "Invalid slug ''"),
        ({"name": "   "}, ValidationError, "The organization needs a name."),
        ({"name": "x" * 201}, ValidationError, "longer than 200 characters"),
        ({"owner_email": "not-an-email"}, ValidationError, "Invalid owner email 'not-an-email'."),
        ({"owner_email": "a@"}, ValidationError, "Invalid owner email 'a@'."),
        ({"owner_email": "x" * 250 + "@ex.com"}, ValidationError, "Invalid owner email"),
        ({"owner_password": None}, ValidationError, "A new owner account needs a password."),
        ({"owner_password": "short"}, ValidationError, "too short"),
        ({"owner_password": "password123"}, ValidationError, "too common"),
        ({"slug": "acme"}, Conflict, "An organization with slug 'acme' already exists."),
    ],
)
def test_org_create_refuses_bad_input_and_changes_nothing(org, kwargs, error, message):
    before = _snapshot()
    arguments = {
        "slug": "newco",
        "name": "NewCo",
        "owner_email": "boss@newco.example.com",
        "owner_password": PASSWORD,
    } | kwargs
    with pytest.raises(error) as excinfo:
        org_create(**arguments, actor=Actor.system())
    text = excinfo.value.message if error is Conflict else " ".join(excinfo.value.messages)
    assert message in text
    assert _snapshot() == before
    assert not Account.objects.filter(email="boss@newco.example.com").exists()


def test_membership_add_gives_an_admin_role_once(org, owner, other_org):
    account = AccountFactory()
    first = membership_add(org=org, account=account, actor=Actor.of(owner))
    again = membership_add(org=org, account=account, actor=Actor.of(owner))
    assert first.pk == again.pk
    assert first.role == Membership.Role.ADMIN
    assert AuditEvent.objects.filter(org=org, action="membership.added").count() == 1
    assert not Membership.objects.filter(org=other_org, account=account).exists()


def test_membership_add_refuses_to_make_an_owner(org, owner):
    account = AccountFactory()
    with pytest.raises(ValidationError, match="ownership transfer"):
        membership_add(org=org, account=account, role=Membership.Role.OWNER, actor=Actor.of(owner))
    assert not Membership.objects.filter(account=account).exists()


def test_owner_transfer_to_an_admin(org, owner, admin_account, other_org):
    """The admin becomes the one owner; the previous owner stays on as an admin."""
    other_owner = Membership.objects.get(org=other_org, role="owner").account
    org_owner_transfer(org=org, new_owner=admin_account, actor=Actor.of(owner))
    assert dict(Membership.objects.filter(org=org).values_list("account__email", "role")) == {
        owner.email: "admin",
        admin_account.email: "owner",
    }
    event = AuditEvent.objects.get(org=org, action="org.owner_transferred")
    assert (event.actor, event.target_label, event.details) == (
        owner,
        admin_account.email,
        {"previous_owner": owner.email},
    )
    # The other org's ownership is untouched.
    assert Membership.objects.get(org=other_org, role="owner").account == other_owner


def test_owner_transfer_to_an_account_without_a_role(org, owner):
    newcomer = AccountFactory()
    org_owner_transfer(org=org, new_owner=newcomer, actor=Actor.of(owner))
    assert Membership.objects.get(org=org, role="owner").account == newcomer
    assert Membership.objects.get(org=org, account=owner).role == "admin"


def test_owner_transfer_to_the_current_owner_changes_nothing(org, owner):
    before = _snapshot()
    org_owner_transfer(org=org, new_owner=owner, actor=Actor.of(owner))
    assert _snapshot() == before
    assert Membership.objects.get(org=org, account=owner).role == "owner"


def test_owner_transfer_back_and_forth_keeps_exactly_one_owner(org, owner, admin_account):
    org_owner_transfer(org=org, new_owner=admin_account, actor=Actor.of(owner))
    org_owner_transfer(org=org, new_owner=owner, actor=Actor.of(admin_account))
    assert list(
        Membership.objects.filter(org=org, role="owner").values_list("account", flat=True)
    ) == [owner.pk]
    assert Membership.objects.filter(org=org).count() == 2


def test_accounts_are_stored_and_found_by_lowercased_email(db):
    account = Account.objects.create_user("Ada@Example.COM", PASSWORD)
    assert account.email == "ada@example.com"
    assert Account.objects.get_by_natural_key("  ADA@example.com ") == account
    with pytest.raises(ValueError, match="needs an email"):
        Account.objects.create_user("", PASSWORD)


def test_superuser_is_staff(db):
    account = Account.objects.create_superuser("root@example.com", PASSWORD)
    assert (account.is_staff, account.is_superuser) == (True, True)


def test_account_clean_lowercases_the_email(db):
    account = Account(email="Grace@Example.COM")
    account.clean()
    assert account.email == "grace@example.com"
