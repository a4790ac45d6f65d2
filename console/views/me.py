"""My access: the page of one of the org's people signed in with SSO (not a console account)."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access.selectors import person_door_list
from accounts.person_sessions import person_session_get
from accounts.selectors.people import person_groups


@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in person's name, userName, groups and doors (each with Unlock). Their
    session is checked on every request, so a suspension sends them to the sign-in page on
    the next one."""
    person = person_session_get(request=request)
    if person is None:
        return redirect_to_login(request.get_full_path())
    response = render(
        request,
        "console/me.html",
        {
            "person": person,
            "person_org": person.org,
            "groups": person_groups(org=person.org, person=person),
            "my_doors": person_door_list(org=person.org, person=person),
            "me": person,
            "from_page": "me",
        },
    )
    response["Cache-Control"] = "no-store"
    return response
