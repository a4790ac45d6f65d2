"""Helpers for the access tests: an API client holding a real key from the key service, and
places, doors, people, groups and grants made through the real services."""

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from access.models import Door, Grant, Place
from access.services.api_keys import api_key_create
from access.services.grants import grant_create
from access.services.places import door_create, place_create
from accounts.actor import Actor
from accounts.models import Group, Organization, Person
from accounts.services.groups import group_create
from accounts.services.people import person_create

SYSTEM = Actor.system()


@dataclass
class ApiResponse:
    status: int
    json: Any
    headers: Any


class ApiClient:
    """Django's test client with `Authorization: Bearer <key>` and JSON bodies."""

    def __init__(self, key: str | None, *, authorization: str | None = None) -> None:
        self.client = Client()
        self.authorization = authorization if authorization is not None else f"Bearer {key}"

    def request(self, method: str, path: str, body: Any = None, *, raw: Any = None) -> ApiResponse:
        headers = {"HTTP_AUTHORIZATION": self.authorization} if self.authorization else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        url = path if path.startswith("/") else f"/api/v1/{path}"
        response = self.client.generic(
            method, url, data, content_type="application/json", **headers
        )
        parsed = json.loads(response.content) if response.content else None
        return ApiResponse(response.status_code, parsed, response.headers)

    def get(self, path: str) -> ApiResponse:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, body, **kwargs)

    def delete(self, path: str) -> ApiResponse:
        return self.request("DELETE", path)


def api_key(org: Organization, name: str = "door controller") -> str:
    _, raw = api_key_create(org=org, name=name, actor=SYSTEM)
    return raw


def make_place(org: Organization, name: str = "HQ", time_zone: str = "Europe/Berlin") -> Place:
    return place_create(org=org, name=name, time_zone=time_zone, actor=SYSTEM)


def make_door(place: Place, name: str = "Front door") -> Door:
    return door_create(place=place, name=name, actor=SYSTEM)


def make_person(org: Organization, user_name: str = "ada@example.com", **kw: Any) -> Person:
    kw.setdefault("given_name", user_name.split("@")[0].title())
    return person_create(org=org, user_name=user_name, actor=kw.pop("actor", SYSTEM), **kw)


def make_group(org: Organization, name: str = "Engineering", members: list[Person] = ()) -> Group:
    return group_create(
        org=org, display_name=name, member_ids=[p.scim_id for p in members], actor=SYSTEM
    )


def make_grant(group: Group, door: Door, **kw: Any) -> Grant:
    return grant_create(group=group, door=door, actor=SYSTEM, **kw)
