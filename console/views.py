"""Console pages: dashboard, people and groups. Thin: check the role, read through selectors."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import member_required
from accounts.selectors.groups import group_get, group_list, group_member_list
from accounts.selectors.orgs import membership_list_for_account
from accounts.selectors.people import people_counts, person_get, person_groups, person_list
from console.forms import GroupFilterForm, PeopleFilterForm

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the account to its first org's dashboard (staff without an org to the admin)."""
    membership = membership_list_for_account(account=request.user).first()
    if membership is not None:
        return redirect("dashboard", org_slug=membership.org.slug)
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "console/no_org.html")


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    org = request.org
    return render(
        request,
        "console/dashboard.html",
        {"counts": people_counts(org=org), "nav": "dashboard"},
    )


@member_required
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    # A bad value in one field (a stale ?status=) must not drop the other: keep what is valid.
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    search = cleaned.get("q", "")
    status = cleaned.get("status", "")
    page = Paginator(
        person_list(org=request.org, search=search, status=status), PAGE_SIZE
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
        },
    )


@member_required
def groups(request: HttpRequest) -> HttpResponse:
    form = GroupFilterForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(group_list(org=request.org, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/group_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav": "groups"},
    )


@member_required
def group_detail(request: HttpRequest, group_id: str) -> HttpResponse:
    group = group_get(org=request.org, scim_id=group_id)
    if group is None:
        raise Http404("No such group in this organization.")
    page = Paginator(group_member_list(org=request.org, group=group), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "console/group_detail.html", {"group": group, "page": page, "nav": "groups"}
    )


@member_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "console/settings.html", {"nav": "settings"})
