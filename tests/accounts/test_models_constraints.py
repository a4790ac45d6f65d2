"""The invariants the database itself holds, on SQLite and PostgreSQL alike.

Every test here writes with `Model.objects.create` (no service, no model validation), so
what refuses the row is the database constraint and nothing else.
"""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Group, GroupMembership, Membership, Person
from tests.factories import AccountFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _constraint_names(model: type) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, model._meta.db_table))


def test_user_name_is_unique_per_org_whatever_the_case(org):
    """Two people whose userNames differ only in case cannot both exist in one org."""
    Person.objects.create(org=org, user_name="Ada.Lovelace@acme.example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(org=org, user_name="ada.lovelace@ACME.example.com")
    assert list(Person.objects.filter(org=org).values_list("user_name", flat=True)) == [
        "Ada.Lovelace@acme.example.com"
    ]


def test_identical_user_name_is_refused_too(org):
    Person.objects.create(org=org, user_name="grace@acme.example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(org=org, user_name="grace@acme.example.com")


def test_same_user_name_in_two_orgs_is_two_people(org, other_org):
    """The constraint is per org: the same userName elsewhere is an independent person."""
    mine = Person.objects.create(org=org, user_name="shared@example.com")
    theirs = Person.objects.create(org=other_org, user_name="SHARED@example.com")
    assert mine.pk != theirs.pk
    assert mine.scim_id != theirs.scim_id


def test_user_name_is_stored_exactly_as_sent(org):
    person = Person.objects.create(org=org, user_name="MiXeD.Case@Acme.Example.com")
    person.refresh_from_db()
    assert person.user_name == "MiXeD.Case@Acme.Example.com"


def test_changing_only_the_case_of_ones_own_user_name_is_allowed(org):
    person = Person.objects.create(org=org, user_name="alan@acme.example.com")
    Person.objects.filter(pk=person.pk).update(user_name="Alan@Acme.example.com")
    person.refresh_from_db()
    assert person.user_name == "Alan@Acme.example.com"


def test_renaming_onto_someone_elses_user_name_is_refused(org):
    Person.objects.create(org=org, user_name="taken@acme.example.com")
    other = Person.objects.create(org=org, user_name="free@acme.example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        # The database holds the rule on the key that saves derive from the userName.
        Person.objects.filter(pk=other.pk).update(user_name_key="taken@acme.example.com")


def test_group_display_name_is_unique_per_org_whatever_the_case(org, other_org):
    Group.objects.create(org=org, display_name="Server Room")
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.create(org=org, display_name="SERVER room")
    # Another org may use the same name.
    Group.objects.create(org=other_org, display_name="server room")
    assert Group.objects.filter(org=org).count() == 1
    assert Group.objects.filter(org=other_org).count() == 1


def test_the_case_insensitive_rules_are_database_indexes():
    """The functional unique indexes exist in the schema (they also serve the lookups)."""
    assert "person_unique_username_key_per_org" in _constraint_names(Person)
    assert "group_unique_display_name_per_org" in _constraint_names(Group)
    assert "membership_one_owner_per_org" in _constraint_names(Membership)


def test_an_org_has_at_most_one_owner(org, owner):
    """A second owner row is refused by the partial unique index."""
    intruder = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(account=intruder, org=org, role=Membership.Role.OWNER)
    # Any number of admins is fine.
    Membership.objects.create(account=intruder, org=org, role=Membership.Role.ADMIN)
    assert list(
        Membership.objects.filter(org=org).order_by("role").values_list("account__email", "role")
    ) == [(intruder.email, "admin"), (owner.email, "owner")]


def test_owners_of_different_orgs_do_not_collide(org, other_org):
    assert Membership.objects.filter(role=Membership.Role.OWNER).count() == 2


def test_an_account_has_one_role_per_org(org, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(account=owner, org=org, role=Membership.Role.ADMIN)


def test_a_person_is_in_a_group_once(org):
    person = Person.objects.create(org=org, user_name="p@acme.example.com")
    group = Group.objects.create(org=org, display_name="Lobby")
    GroupMembership.objects.create(group=group, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.create(group=group, person=person)


def test_scim_ids_are_opaque_unique_and_stay(org):
    first = Person.objects.create(org=org, user_name="one@acme.example.com")
    second = Person.objects.create(org=org, user_name="two@acme.example.com")
    assert first.scim_id != second.scim_id
    assert len(first.scim_id) == 32
    assert first.scim_id != str(first.pk)
    original = first.scim_id
    first.is_active = False
    first.save()
    first.refresh_from_db()
    assert first.scim_id == original
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=second.pk).update(scim_id=original)


def test_defaults():
    """A new org cleans up after 30 days; a new person is active and may be emailed."""
    org = OrganizationFactory()
    person = Person.objects.create(org=org, user_name="fresh@example.com")
    org.refresh_from_db()
    person.refresh_from_db()
    assert org.cleanup_threshold_days == 30
    assert person.is_active is True
    assert person.suspended_at is None
    assert person.send_emails is True
    assert person.provisioned_by == Person.Source.MANUAL


def test_str_of_every_model(org, owner):
    person = Person.objects.create(org=org, user_name="str@acme.example.com", given_name="S")
    group = Group.objects.create(org=org, display_name="Dock")
    membership = GroupMembership.objects.create(group=group, person=person)
    assert str(org) == "Org acme"
    assert str(owner) == "owner@acme.example.com"
    assert str(Membership.objects.get(account=owner)) == (
        "owner@acme.example.com (Owner of Org acme)"
    )
    assert str(person) == "str@acme.example.com"
    assert str(group) == "Dock"
    assert str(membership) == "str@acme.example.com in Dock"
