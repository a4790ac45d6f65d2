"""The org's people: the list, each person's page and story, and the emergency lock."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.views import person_access_context
from accounts.actor import Actor
from accounts.models import Membership, Person
from accounts.permissions import member_required, owner_or_admin_required
from accounts.selectors.people import (
    console_suspension_get,
    person_get,
    person_groups,
    person_list,
)
from console.forms import PeopleFilterForm, SuspendForm
from console.selectors import person_timeline
from kisiscim.exceptions import Conflict
from provisioning.services.lifecycle import console_person_reactivate, console_person_suspend

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
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(query),
            "nav": "people",
        },
    )


def _person_or_404(request: HttpRequest, person_id: str) -> Person:
    person = person_get(org=request.org, scim_id=person_id)
    if person is None:
        raise Http404("No such person in this organization.")
    return person


def _before(value: str) -> dt.datetime | None:
    """The timeline's "Show older" cursor; anything unreadable starts from the newest."""
    try:
        moment = dt.datetime.fromisoformat(value[:64])
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


def _can_act(request: HttpRequest) -> bool:
    return request.membership.role in (Membership.Role.OWNER, Membership.Role.ADMIN)


def _render_person(
    request: HttpRequest, person: Person, suspend_form: SuspendForm | None = None, status=200
) -> HttpResponse:
    can_act = _can_act(request)
    before = _before(request.GET.get("before", ""))
    return render(
        request,
        "console/person_detail.html",
        {
            "person": person,
            "groups": person_groups(org=request.org, person=person),
            "nav": "people",
            "lock": console_suspension_get(person=person),
            "can_act": can_act,
            "suspend_form": suspend_form or SuspendForm(),
            "timeline": person_timeline(org=request.org, person=person, before=before),
            "timeline_continued": before is not None,
            **person_access_context(org=request.org, person=person, can_edit=can_act),
        },
        status=status,
    )


@member_required
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    return _render_person(request, _person_or_404(request, person_id))


@require_POST
@owner_or_admin_required
def person_suspend(request: HttpRequest, person_id: str) -> HttpResponse:
    """Suspend in an emergency, with a reason: every door closes for them at once, and the
    identity provider cannot lift it; the owner is emailed."""
    person = _person_or_404(request, person_id)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person, suspend_form=form, status=400)
    try:
        console_person_suspend(
            person=person, reason=form.cleaned_data["reason"], actor=Actor.of(request.user)
        )
    except (ValidationError, Conflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            f"{person.user_name} is suspended: no door opens for them, and the identity "
            "provider cannot reactivate them until you do here.",
        )
    return redirect("person_detail", org_slug=request.org.slug, person_id=person.scim_id)


@require_POST
@owner_or_admin_required
def person_reactivate(request: HttpRequest, person_id: str) -> HttpResponse:
    """Lift a console suspension: the person is active again, same id and groups."""
    person = _person_or_404(request, person_id)
    try:
        reactivated = console_person_reactivate(person=person, actor=Actor.of(request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{person.user_name} is active again."
            if reactivated
            else f"The lock is lifted; {person.user_name} stays suspended by the identity "
            "provider, which reactivates them.",
        )
    return redirect("person_detail", org_slug=request.org.slug, person_id=person.scim_id)
