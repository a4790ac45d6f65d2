"""The console's Doors pages (places, doors, a door's page, "Why?"), the grant and card
actions of the group and person pages, Settings → API keys, and My doors (/me/doors/) for
people signed in with SSO. Thin: check the role or the person's session, validate a form,
call one service or the decision, render or redirect.

`group_access_context` and `person_access_context` give the console's group and person
pages their access sections (templates/access/_group_grants.html, _person_access.html).
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from access.decision import access_check
from access.forms import (
    ApiKeyForm,
    CardForm,
    DoorForm,
    GrantForm,
    PlaceForm,
    RenameForm,
    WhyForm,
)
from access.models import AccessEvent
from access.selectors import (
    access_event_list,
    api_key_get,
    api_key_list_live,
    credential_get,
    door_get,
    door_list,
    door_openers_now,
    grant_get,
    grant_list_for_door,
    grant_list_for_group,
    grant_statuses,
    people_doors_would_regain,
    person_card_list,
    person_door_list,
    place_get,
    place_list,
)
from access.services.api_keys import api_key_create, api_key_revoke
from access.services.credentials import card_add, card_revoke
from access.services.grants import grant_create, grant_delete
from access.services.places import (
    door_create,
    door_lockdown,
    door_lockdown_lift,
    door_rename,
    place_create,
    place_rename,
)
from accounts.actor import Actor
from accounts.models import Group, Organization, Person
from accounts.permissions import member_required, owner_or_admin_required, owner_required
from accounts.person_sessions import person_session_get
from accounts.selectors.groups import group_get
from accounts.selectors.people import person_get, person_get_by_user_name
from kisiscim.exceptions import Conflict

PAGE_SIZE = 50
RECENT_EVENTS = 50


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(request.user)


def _refusal(exc: ValidationError | Conflict) -> str:
    return exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)


def _add_errors(form: Form, exc: ValidationError | Conflict) -> None:
    """A service's refusal as form errors, on the field it names when the form has it."""
    if isinstance(exc, Conflict):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_errors(form: Form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the form's `next` when it is a path on this site, else to `default`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _door_or_404(request: HttpRequest, door_id: str) -> Any:
    door = door_get(org=request.org, door_id=door_id)
    if door is None:
        raise Http404("No such door in this organization.")
    return door


# Places and doors ------------------------------------------------------------------------


def _doors_page(request: HttpRequest, *, place_form=None, door_form=None, status=200):
    places = list(place_list(org=request.org))
    doors = list(door_list(org=request.org))
    by_place = {p.pk: [] for p in places}
    for door in doors:
        by_place[door.place_id].append(door)
    return render(
        request,
        "access/doors.html",
        {
            "nav": "doors",
            "places": [(p, by_place[p.pk]) for p in places],
            "place_form": place_form or PlaceForm(),
            "door_form": door_form or DoorForm(places=places),
        },
        status=status,
    )


@require_GET
@member_required
def doors(request: HttpRequest) -> HttpResponse:
    return _doors_page(request)


@require_POST
@owner_or_admin_required
def place_create_view(request: HttpRequest) -> HttpResponse:
    form = PlaceForm(request.POST)
    if form.is_valid():
        try:
            place = place_create(org=request.org, **form.cleaned_data, actor=_actor(request))
        except (ValidationError, Conflict) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Place {place.name} created ({place.time_zone}).")
            return redirect("access:doors", org_slug=request.org.slug)
    return _doors_page(request, place_form=form, status=400)


@require_POST
@owner_or_admin_required
def place_rename_view(request: HttpRequest, place_id: str) -> HttpResponse:
    place = place_get(org=request.org, place_id=place_id)
    if place is None:
        raise Http404("No such place in this organization.")
    form = RenameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        if place_rename(place=place, name=form.cleaned_data["name"], actor=_actor(request)):
            messages.success(request, f"Place renamed to {place.name}.")
    except (ValidationError, Conflict) as exc:
        messages.error(request, _refusal(exc))
    return redirect("access:doors", org_slug=request.org.slug)


@require_POST
@owner_or_admin_required
def door_create_view(request: HttpRequest) -> HttpResponse:
    places = list(place_list(org=request.org))
    form = DoorForm(request.POST, places=places)
    if form.is_valid():
        place = place_get(org=request.org, place_id=form.cleaned_data["place"])
        try:
            door = door_create(place=place, name=form.cleaned_data["name"], actor=_actor(request))
        except (ValidationError, Conflict) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Door {door.name} created in {place.name}.")
            return redirect("access:door", org_slug=request.org.slug, door_id=door.pk)
    return _doors_page(request, door_form=form, status=400)


@require_GET
@member_required
def door_detail(request: HttpRequest, door_id: str) -> HttpResponse:
    door = _door_or_404(request, door_id)
    openers = Paginator(door_openers_now(org=request.org, door=door), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "access/door_detail.html",
        {
            "nav": "doors",
            "door": door,
            "openers": openers,
            "page": openers,
            "query": "",
            "grants": grant_statuses(grant_list_for_door(org=request.org, door=door)),
            "events": access_event_list(org=request.org, door=door)[:RECENT_EVENTS],
            "rename_form": RenameForm(initial={"name": door.name}),
            "why_form": WhyForm(),
        },
    )


@require_POST
@owner_or_admin_required
def door_rename_view(request: HttpRequest, door_id: str) -> HttpResponse:
    door = _door_or_404(request, door_id)
    form = RenameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        if door_rename(door=door, name=form.cleaned_data["name"], actor=_actor(request)):
            messages.success(request, f"Door renamed to {door.name}.")
    except (ValidationError, Conflict) as exc:
        messages.error(request, _refusal(exc))
    return redirect("access:door", org_slug=request.org.slug, door_id=door.pk)


@require_POST
@owner_or_admin_required
def door_lockdown_view(request: HttpRequest, door_id: str) -> HttpResponse:
    door = _door_or_404(request, door_id)
    if door_lockdown(door=door, actor=_actor(request)):
        messages.warning(request, f"{door.name} is locked down: it opens for no one.")
    return redirect("access:door", org_slug=request.org.slug, door_id=door.pk)


@require_POST
@owner_or_admin_required
def door_lift_view(request: HttpRequest, door_id: str) -> HttpResponse:
    door = _door_or_404(request, door_id)
    if door_lockdown_lift(door=door, actor=_actor(request)):
        messages.success(request, f"The lockdown of {door.name} is lifted: its grants apply.")
    return redirect("access:door", org_slug=request.org.slug, door_id=door.pk)


def _person_named(org: Organization, text: str) -> Person | None:
    """A person by SCIM id, else by userName (any case)."""
    return person_get(org=org, scim_id=text) or person_get_by_user_name(org=org, user_name=text)


@require_GET
@member_required
def why(request: HttpRequest, door_id: str) -> HttpResponse:
    """The decision for a person at this door now, with its path; recorded as an access event
    (source console), like every decision."""
    door = _door_or_404(request, door_id)
    form = WhyForm(request.GET or None)
    decision = None
    status = 200
    if form.is_valid():
        person = _person_named(request.org, form.cleaned_data["person"].strip())
        if person is None:
            form.add_error("person", "No one with this userName in this organization.")
            status = 404
        else:
            decision, _ = access_check(
                door=door,
                person=person,
                source=AccessEvent.Source.CONSOLE,
                requested_by=request.user.email,
            )
    elif form.is_bound:
        status = 400
    return render(
        request,
        "access/why.html",
        {"nav": "doors", "door": door, "form": form, "decision": decision},
        status=status,
    )


@require_GET
@member_required
def why_any(request: HttpRequest) -> HttpResponse:
    """`?door=<id>&person=<id or userName>` (the person page's door picker): to that door's
    "Why?"."""
    door = _door_or_404(request, request.GET.get("door", ""))
    url = reverse("access:why", args=[request.org.slug, door.pk])
    person = request.GET.get("person", "")
    return redirect(f"{url}?{urlencode({'person': person})}" if person else url)


# Grants (the group page's editor) --------------------------------------------------------


def group_access_context(*, org: Organization, group: Group, can_edit: bool) -> dict[str, Any]:
    """The group page's "Doors this group opens" and its grant editor."""
    doors = list(door_list(org=org))
    return {
        "grants": grant_statuses(grant_list_for_group(org=org, group=group)),
        "grant_form": GrantForm(doors=doors) if can_edit and doors else None,
        "can_edit_grants": can_edit,
    }


@require_POST
@owner_or_admin_required
def grant_create_view(request: HttpRequest, group_id: str) -> HttpResponse:
    group = group_get(org=request.org, scim_id=group_id)
    if group is None:
        raise Http404("No such group in this organization.")
    back = reverse("group_detail", args=[request.org.slug, group.scim_id]) + "#doors"
    form = GrantForm(request.POST, doors=list(door_list(org=request.org)))
    if not form.is_valid():
        messages.error(request, f"No grant added: {_form_errors(form)}")
        return redirect(back)
    door = door_get(org=request.org, door_id=form.cleaned_data["door"])
    try:
        grant = grant_create(
            group=group,
            door=door,
            schedule=form.cleaned_data["schedule"],
            valid_from=form.cleaned_data["valid_from"],
            valid_until=form.cleaned_data["valid_until"],
            actor=_actor(request),
        )
    except ValidationError as exc:
        messages.error(request, f"No grant added: {_refusal(exc)}")
    else:
        messages.success(request, f"{group.display_name} can now open {grant.door.name}.")
    return redirect(back)


@require_POST
@owner_or_admin_required
def grant_delete_view(request: HttpRequest, grant_id: str) -> HttpResponse:
    grant = grant_get(org=request.org, grant_id=grant_id)
    if grant is None:
        raise Http404("No such grant in this organization.")
    group, door = grant.group, grant.door
    grant_delete(grant=grant, actor=_actor(request))
    messages.success(request, f"{group.display_name} no longer opens {door.name} by that grant.")
    return _back(request, reverse("group_detail", args=[request.org.slug, group.scim_id]))


# The person page: doors, events, cards ----------------------------------------------------


def person_access_context(*, org: Organization, person: Person, can_edit: bool) -> dict[str, Any]:
    """The person page's doors (now; or, suspended, those they would regain), recent access
    events and cards."""
    suspended = not person.is_active
    if suspended:
        regained = people_doors_would_regain(org=org, people=[person])[person.pk]
        shown, others = regained, []
    else:
        accesses = person_door_list(org=org, person=person)
        shown = [a for a in accesses if a.allowed]
        others = [a for a in accesses if not a.allowed]
    return {
        "person_doors": shown,
        "person_doors_other": others,
        "doors_would_regain": suspended,
        "person_events": access_event_list(org=org, person=person)[:20],
        "cards": person_card_list(org=org, person=person),
        "card_form": CardForm() if can_edit else None,
        "why_doors": door_list(org=org),
    }


def _person_or_404(request: HttpRequest, person_id: str) -> Person:
    person = person_get(org=request.org, scim_id=person_id)
    if person is None:
        raise Http404("No such person in this organization.")
    return person


@require_POST
@owner_or_admin_required
def card_add_view(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _person_or_404(request, person_id)
    form = CardForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        card = card_add(person=person, number=form.cleaned_data["number"], actor=_actor(request))
    except (ValidationError, Conflict) as exc:
        messages.error(request, f"No card added: {_refusal(exc)}")
    else:
        messages.success(request, f"Card {card.number} added.")
    return redirect(reverse("person_detail", args=[request.org.slug, person.scim_id]) + "#cards")


@require_POST
@owner_or_admin_required
def card_revoke_view(request: HttpRequest, card_id: str) -> HttpResponse:
    card = credential_get(org=request.org, credential_id=card_id)
    if card is None:
        raise Http404("No such card in this organization.")
    if card_revoke(card=card, actor=_actor(request)):
        messages.success(request, f"Card {card.number} revoked.")
    return redirect(
        reverse("person_detail", args=[request.org.slug, card.person.scim_id]) + "#cards"
    )


# Settings → API keys (the owner) ---------------------------------------------------------


def _api_keys_page(request: HttpRequest, form: ApiKeyForm | None = None, status: int = 200):
    return render(
        request,
        "access/api_keys.html",
        {
            "nav": "settings",
            "keys": api_key_list_live(org=request.org).select_related("created_by"),
            "form": form or ApiKeyForm(),
        },
        status=status,
    )


@require_GET
@owner_required
def api_keys(request: HttpRequest) -> HttpResponse:
    return _api_keys_page(request)


@sensitive_variables("raw")
@require_POST
@owner_required
def api_key_create_view(request: HttpRequest) -> HttpResponse:
    """The key is shown once, in this response's body: never in a redirect, the session, a
    message or a log, and the response is never cached."""
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            key, raw = api_key_create(
                org=request.org, name=form.cleaned_data["name"], actor=_actor(request)
            )
        except (ValidationError, Conflict) as exc:
            _add_errors(form, exc)
        else:
            response = render(
                request,
                "access/api_key_created.html",
                {
                    "nav": "settings",
                    "key": key,
                    "raw_key": raw,
                    "api_base_url": request.build_absolute_uri("/api/v1/"),
                },
            )
            add_never_cache_headers(response)
            return response
    return _api_keys_page(request, form, status=400)


@require_POST
@owner_required
def api_key_revoke_view(request: HttpRequest, key_id: str) -> HttpResponse:
    key = api_key_get(org=request.org, key_id=key_id)
    if key is None:
        raise Http404("No such API key in this organization.")
    if api_key_revoke(key=key, actor=_actor(request)):
        messages.success(request, f"API key {key.name} revoked: requests with it now get 401.")
    return redirect("api_keys:list", org_slug=request.org.slug)


# My doors (/me/doors/): a person signed in with SSO ----------------------------------------


def my_doors_context(*, person: Person) -> dict[str, Any]:
    """What templates/access/_my_doors.html needs: the person's doors, each with the
    decision for now."""
    return {"my_doors": person_door_list(org=person.org, person=person), "me": person}


def _signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "access/me_sign_in.html", status=403)


@require_GET
def my_doors(request: HttpRequest) -> HttpResponse:
    person = person_session_get(request=request)
    if person is None:
        return _signed_out(request)
    response = render(request, "access/my_doors.html", my_doors_context(person=person))
    add_never_cache_headers(response)
    return response


@require_POST
def my_door_unlock(request: HttpRequest, door_id: str) -> HttpResponse:
    """Unlock: the same decision as a reader's check (source web), recorded as an event."""
    person = person_session_get(request=request)
    if person is None:
        ended = getattr(request, "person_session_ended", None)
        if ended is not None:
            # Suspended (or deleted) since signing in: the attempt is still a decision, a
            # recorded denial, and then the person is signed out.
            door = door_get(org=ended.org, door_id=door_id)
            if door is not None:
                access_check(door=door, person=ended, source=AccessEvent.Source.WEB)
        return _signed_out(request)
    door = door_get(org=person.org, door_id=door_id)
    if door is None:
        raise Http404("No such door.")
    decision, _ = access_check(door=door, person=person, source=AccessEvent.Source.WEB)
    if decision.allowed:
        messages.success(request, f"{door.name} unlocked.")
    else:
        messages.error(request, f"{door.name} did not unlock: {decision.reason_text}.")
    # Back to where the button was: My access (/me/) or My doors.
    target = request.POST.get("from", "")
    return redirect("me" if target == "me" else "my_doors:list")
