"""One userName rule on SQLite and PostgreSQL alike (RFC 8265 UsernameCaseMapped): look-alikes
are one person (a 409), invisible and bidi characters are refused (400), lookups compare the
same key as writes, and the userName is still stored and echoed exactly as sent."""

import pytest

from accounts.models import Person
from tests.provisioning.scim.client import okta_user

pytestmark = pytest.mark.django_db


def create(scim, user_name: str):
    return scim.post("Users", okta_user(user_name, emails=[]))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("jos\u00e9@example.com", "jose\u0301@example.com"),  # NFC vs NFD
        ("admin", "\uff41\uff44\uff4d\uff49\uff4e"),  # full-width
        ("\u00c4da@example.com", "\u00e4da@example.com"),  # non-ASCII case (SQLite too)
        ("strasse", "STRAßE"),  # case folding, not just lower-casing
        ("Bob@Example.com", "bob@example.com"),
    ],
)
def test_look_alike_user_names_are_one_person(scim, org, first, second):
    made = create(scim, first)
    assert made.status == 201
    assert made.json["userName"] == first  # echoed exactly as sent
    again = create(scim, second)
    assert (again.status, again.json["scimType"]) == (409, "uniqueness")
    assert Person.objects.filter(org=org).count() == 1
    # The same key finds it: `userName eq` with the look-alike.
    found = scim.get(f'Users?filter=userName eq "{second}"')
    assert [r["userName"] for r in found.json["Resources"]] == [first]


@pytest.mark.parametrize(
    "user_name",
    [
        "ad\u200dmin",  # zero-width joiner
        "ad\u200bmin",  # zero-width space
        "ad\u00admin",  # soft hyphen
        "\u202eadmin",  # right-to-left override
        "ad\u2066min",  # bidi isolate
        "ad\u00a0min",  # no-break space
        "ad\u2028min",  # line separator
        "ad\u0007min",  # control
    ],
)
def test_invisible_and_bidi_characters_are_refused(scim, org, user_name):
    r = create(scim, user_name)
    assert (r.status, r.json["scimType"]) == (400, "invalidValue")
    assert "userName contains" in r.json["detail"]
    assert not Person.objects.filter(org=org).exists()


def test_a_lookup_trims_as_a_write_does(scim, org):
    assert create(scim, "bob@x.test ").status == 201
    found = scim.get('Users?filter=userName eq "bob@x.test "')
    assert found.json["totalResults"] == 1
