"""Signing one of the org's people in for a test, as SAML sign-in will: a real session made
with Django's SessionStore and `accounts.person_sessions.person_session_start`, whose key is
then the session cookie of the test client (or of a Playwright browser context).

    key = person_session_key(person)
    client.cookies[settings.SESSION_COOKIE_NAME] = key           # Django's test client
    context.add_cookies([person_session_cookie(person, live_server.url)])   # Playwright
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.test import RequestFactory

from accounts.models import Person
from accounts.person_sessions import person_session_start


def person_session_key(person: Person) -> str:
    """A new, saved session in which `person` is signed in; its key."""
    engine = import_module(settings.SESSION_ENGINE)
    request = RequestFactory().get("/")
    request.session = engine.SessionStore()
    person_session_start(request=request, person=person)
    request.session.save()
    return request.session.session_key


def person_session_cookie(person: Person, base_url: str) -> dict[str, Any]:
    """The session cookie, for Playwright's `BrowserContext.add_cookies`."""
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": person_session_key(person),
        "url": base_url,
        "httpOnly": True,
    }
