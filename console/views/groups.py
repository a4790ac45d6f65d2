"""The org's groups: the list and each group's page."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from access.views import group_access_context
from accounts.models import Membership
from accounts.permissions import member_required
from accounts.selectors.groups import group_get, group_list, group_member_list
from console.forms import GroupFilterForm

PAGE_SIZE = 50


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
    can_edit = request.membership.role in (Membership.Role.OWNER, Membership.Role.ADMIN)
    return render(
        request,
        "console/group_detail.html",
        {
            "group": group,
            "page": page,
            "nav": "groups",
            **group_access_context(org=request.org, group=group, can_edit=can_edit),
        },
    )
