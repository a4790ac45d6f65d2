"""A person's session: started on sign-in, ended on the next request after a suspension."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from accounts.actor import Actor
from accounts.person_sessions import person_session_end, person_session_get, person_session_start
from accounts.services.people import person_create, person_idp_delete, person_suspend

pytestmark = pytest.mark.django_db


def _request(session: SessionStore | None = None):
    request = RequestFactory().get("/me/")
    request.session = session or SessionStore()
    return request


def test_a_session_names_the_person_until_it_ends(org):
    person = person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
    request = _request()
    request.session["before"] = 1
    request.session.save()
    old_key = request.session.session_key
    person_session_start(request=request, person=person)
    assert request.session.session_key != old_key  # no session fixation
    assert person_session_get(request=request) == person
    person_session_end(request=request)
    assert person_session_get(request=request) is None


@pytest.mark.parametrize("end", [person_suspend, person_idp_delete])
def test_a_suspension_ends_the_session_at_the_next_request(org, end):
    person = person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
    request = _request()
    person_session_start(request=request, person=person)
    request.session.save()
    kwargs = {"actor": Actor.scim()} if end is person_suspend else {}
    end(person=person, **kwargs)
    # The next request carries the same cookie (session).
    later = _request(SessionStore(session_key=request.session.session_key))
    assert person_session_get(request=later) is None
    assert "kisiscim_person" not in later.session


def test_a_session_of_another_org_finds_nobody(org, other_org):
    person = person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
    request = _request()
    person_session_start(request=request, person=person)
    request.session["kisiscim_person"]["org"] = other_org.pk
    assert person_session_get(request=request) is None
