"""The count of the people SCIM sees, which the database keeps (triggers), is exact after
every kind of write: services, bulk loads, the IdP's DELETE and its undoing, deletes for
good, and whole organizations going."""

import pytest

from accounts.actor import Actor
from accounts.models import Organization, OrgPeopleCount, Person
from accounts.selectors.people import person_list_scim_visible, person_scim_visible_count
from accounts.services.people import person_create, person_idp_delete, person_reactivate
from tests.provisioning.scim.client import ScimClient, issue_token

pytestmark = pytest.mark.django_db


def _exact(*orgs: Organization) -> None:
    for org in orgs:
        assert person_scim_visible_count(org=org) == person_list_scim_visible(org=org).count()


def test_the_kept_count_matches_a_count_after_every_kind_of_write(org, other_org):
    assert person_scim_visible_count(org=org) == 0
    people = [
        person_create(org=org, user_name=f"p{i}@acme.example.com", actor=Actor.scim())
        for i in range(3)
    ]
    Person.objects.bulk_create(
        [Person(org=other_org, user_name=f"b{i}@globex.example.com") for i in range(5)]
    )
    _exact(org, other_org)
    assert person_scim_visible_count(org=org) == 3

    person_idp_delete(person=people[0])  # hidden from SCIM
    _exact(org, other_org)
    assert person_scim_visible_count(org=org) == 2
    person_idp_delete(person=people[0])  # again: no change
    person_reactivate(person=people[0], actor=Actor.scim())  # the IdP brings them back
    _exact(org, other_org)
    assert person_scim_visible_count(org=org) == 3

    people[1].delete()  # for good (the cleanup audit, the admin)
    Person.objects.filter(org=other_org, user_name__startswith="b0").delete()
    _exact(org, other_org)
    assert (person_scim_visible_count(org=org), person_scim_visible_count(org=other_org)) == (2, 4)

    Person.objects.filter(pk=people[2].pk).update(org=other_org)  # never done, still exact
    _exact(org, other_org)

    other_org.delete()
    assert not OrgPeopleCount.objects.filter(org_id=other_org.pk).exists()
    _exact(org)


def test_a_scim_list_reads_its_total_from_the_kept_count(org):
    scim = ScimClient(issue_token(org))
    for i in range(3):
        person_create(org=org, user_name=f"p{i}@acme.example.com", actor=Actor.scim())
    response = scim.get("Users?startIndex=1&count=2")
    assert response.json["totalResults"] == 3
    # The kept count is what the answer says, not a COUNT(*) of the table.
    OrgPeopleCount.objects.filter(org=org).update(scim_visible=7)
    assert scim.get("Users?startIndex=1&count=2").json["totalResults"] == 7
    # A filtered list counts its matches.
    assert scim.get("Users?filter=userName%20sw%20%22p%22&count=2").json["totalResults"] == 3
