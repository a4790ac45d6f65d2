"""Sessions of the org's people: they sign in with the org's SAML SSO and are not console
accounts, so their session is a key of its own beside Django's account login.

Every read of a person's session re-checks, in one query, that the person may still be
signed in (active, not deleted by the IdP, still in that org): a suspension ends their
session on the very next request, on every web process, whatever the cookie says.
"""

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Person

SESSION_KEY = "kisiscim_person"


def person_session_start(*, request: HttpRequest, person: Person) -> None:
    """Sign the person in: a new session key (no fixation), holding who and where."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "person": person.pk,
        "org": person.org_id,
        "since": timezone.now().isoformat(),
    }


def person_session_get(*, request: HttpRequest) -> Person | None:
    """The signed-in person, or None (and the stale session key gone) when there is none or
    they may no longer be signed in. A session ended here because its person was suspended
    or deleted by the IdP leaves that person on `request.person_session_ended`, so the page
    can say why (and a door can record the denied attempt)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    person = (
        Person.objects.select_related("org")
        .filter(pk=data.get("person"), org_id=data.get("org"))
        .first()
    )
    if person is None or not person.is_active or person.idp_deleted_at is not None:
        person_session_end(request=request)
        request.person_session_ended = person  # type: ignore[attr-defined]
        return None
    return person


def person_session_end(*, request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
