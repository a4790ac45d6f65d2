"""The org's groups: the list and each group's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from access.views import group_access_context
from accounts.actor import Actor
from accounts.models import Membership
from accounts.permissions import member_required, owner_or_admin_required
from accounts.selectors.groups import group_get, group_list, group_member_list
from accounts.selectors.people import person_get_by_user_name
from accounts.services.groups import group_members_add, group_members_remove
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
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(query),
            "nav": "groups",
        },
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
            "can_edit_members": can_edit and not group.members_managed_by_idp,
            **group_access_context(org=request.org, group=group, can_edit=can_edit),
        },
    )


def _group_or_404(request: HttpRequest, group_id: str):
    group = group_get(org=request.org, scim_id=group_id)
    if group is None:
        raise Http404("No such group in this organization.")
    return group


@require_POST
@owner_or_admin_required
def group_member_add(request: HttpRequest, group_id: str) -> HttpResponse:
    """Add one of the org's people (by userName) to a console-made group; an IdP-managed
    group's members are refused by the service (the IdP owns them)."""
    group = _group_or_404(request, group_id)
    user_name = request.POST.get("user_name", "").strip()[:255]
    person = person_get_by_user_name(org=request.org, user_name=user_name) if user_name else None
    if person is None:
        messages.error(request, f"No one with userName {user_name!r} in this organization.")
    else:
        try:
            group_members_add(
                group=group, member_ids=[person.scim_id], actor=Actor.of(request.user)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{person.user_name} is in {group.display_name}.")
    return redirect("group_detail", org_slug=request.org.slug, group_id=group.scim_id)


@require_POST
@owner_or_admin_required
def group_member_remove(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _group_or_404(request, group_id)
    person_id = request.POST.get("person", "")
    try:
        removed = group_members_remove(
            group=group, member_ids=[person_id], actor=Actor.of(request.user)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if removed:
            messages.success(request, f"Removed from {group.display_name}.")
    return redirect("group_detail", org_slug=request.org.slug, group_id=group.scim_id)
