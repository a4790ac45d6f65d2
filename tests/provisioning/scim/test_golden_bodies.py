"""The SCIM answers, byte for byte: a fixed world (ids, names, timestamps) and the requests
Okta sends, compared with the bodies recorded in golden/. A faster serializer must answer
exactly what the previous one did. `UPDATE_GOLDEN=1` re-records them (review the diff)."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine

from accounts.actor import Actor
from accounts.models import Group, Person
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create, person_suspend
from tests.provisioning.scim.client import GROUP_SCHEMA, PATCH_OP, ScimClient, okta_user

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parent / "golden"
T0 = dt.datetime(2026, 5, 4, 10, 30, 15, 123456, tzinfo=dt.UTC)
SCIM = Actor.scim()


@pytest.fixture
def world(org, other_org):
    """Four people (one suspended, one with two emails and no name), two groups."""
    with time_machine.travel(T0, tick=False):
        specs = [
            ("ada@acme.example.com", "Ada", "Lovelace", "Ada Lovelace", "00uada", "en-US"),
            ("grace@acme.example.com", "Grace", "Hopper", "", "", ""),
            ("Émile.Zola@acme.example.com", "", "", "Émile « Z »", "ext-é", "fr-FR"),
            ("alan@acme.example.com", "Alan", "Turing", "Alan", "00ualan", ""),
        ]
        people = []
        for i, (user_name, given, family, display, ext, locale) in enumerate(specs):
            emails = [EmailData(user_name, "work", True)]
            if i == 2:
                emails = [
                    EmailData("emile.zola@acme.example.com", "work", True),
                    EmailData("zola@home.example", "", False),
                ]
            people.append(
                person_create(
                    org=org,
                    user_name=user_name,
                    given_name=given,
                    family_name=family,
                    display_name=display,
                    external_id=ext,
                    locale=locale,
                    emails=emails,
                    actor=SCIM,
                )
            )
        person_suspend(person=people[3], actor=SCIM)
        for i, person in enumerate(people):
            Person.objects.filter(pk=person.pk).update(scim_id=f"user{i:02d}" + "a" * 26)
        ids = [f"user{i:02d}" + "a" * 26 for i in range(4)]
        doors = group_create(org=org, display_name="Front Door", member_ids=ids[:3], actor=SCIM)
        lab = group_create(
            org=org, display_name="Lab & Co", external_id="g-lab", member_ids=[ids[1]], actor=SCIM
        )
        group_create(org=other_org, display_name="Elsewhere", actor=Actor.system())
        Group.objects.filter(pk=doors.pk).update(scim_id="group00" + "b" * 25)
        Group.objects.filter(pk=lab.pk).update(scim_id="group01" + "b" * 25)
    return ids


REQUESTS = {
    "users_page": ("GET", "Users?startIndex=1&count=100", None),
    "users_page_2": ("GET", "Users?startIndex=2&count=2", None),
    "user": ("GET", "Users/user02" + "a" * 26, None),
    "user_filter": ("GET", "Users?filter=userName%20eq%20%22GRACE@acme.example.com%22", None),
    "user_attributes": ("GET", "Users?attributes=userName,emails&count=10", None),
    "user_excluded": ("GET", "Users/user00" + "a" * 26 + "?excludedAttributes=groups", None),
    "groups_page": ("GET", "Groups?startIndex=1&count=100", None),
    "groups_no_members": ("GET", "Groups?excludedAttributes=members", None),
    "group": ("GET", "Groups/group00" + "b" * 25, None),
    "group_filter": ("GET", "Groups?filter=displayName%20eq%20%22lab%20%26%20co%22", None),
    "patch_user": (
        "PATCH",
        "Users/user01" + "a" * 26,
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    ),
    "put_group": (
        "PUT",
        "Groups/group01" + "b" * 25,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Lab & Co",
            "members": [{"value": "user00" + "a" * 26}],
        },
    ),
    "post_user": ("POST", "Users", okta_user("new.person@acme.example.com")),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_answer_is_byte_for_byte_what_it_was(world, scim_token, name):
    method, path, body = REQUESTS[name]
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        response = ScimClient(scim_token).request(method, path, body)
    content = response.content
    if name == "post_user":
        # The new person's id is random: everything else must match.
        content = content.replace(response.json["id"].encode(), b"<new-id>")
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(content)
    assert response.status in (200, 201)
    assert content == golden.read_bytes(), json.dumps(response.json, indent=1)[:1500]
