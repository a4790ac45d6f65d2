"""The org's people: the list and each person's page."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from access.views import person_access_context
from accounts.models import Membership
from accounts.permissions import member_required
from accounts.selectors.people import person_get, person_groups, person_list
from console.forms import PeopleFilterForm

PAGE_SIZE = 50


@member_required
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    # A bad value in one field (a stale ?status=) must not drop the other: keep what is valid.
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    search = cleaned.get("q", "")
    status = cleaned.get("status", "")
    page = Paginator(
        person_list(
            org=request.org,
            search=search,
            status=status,
            suspended_since=cleaned.get("suspended_since"),
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/people_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav": "people"},
    )


@member_required
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    person = person_get(org=request.org, scim_id=person_id)
    if person is None:
        raise Http404("No such person in this organization.")
    return render(
        request,
        "console/person_detail.html",
        {
            "person": person,
            "groups": person_groups(org=request.org, person=person),
            "nav": "people",
            **person_access_context(
                org=request.org,
                person=person,
                can_edit=request.membership.role in (Membership.Role.OWNER, Membership.Role.ADMIN),
            ),
        },
    )
