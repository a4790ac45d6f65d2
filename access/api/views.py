"""The REST API's views: thin. Each reads the org from the API key, resolves ids through
the org's selectors (another org's id is "not found": 404 in a URL, 400 inside a body),
validates with a serializer and calls one service or the decision."""

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from access.api.serializers import (
    CheckRequestSerializer,
    CheckResponseSerializer,
    DoorSerializer,
    EventSerializer,
    GrantSerializer,
    PersonDoorSerializer,
    PlaceSerializer,
)
from access.decision import (
    DoorNotFound,
    PersonNotFound,
    Reason,
    Subject,
    access_check_ids,
)
from access.models import AccessEvent
from access.selectors import (
    access_event_list,
    door_get,
    door_list,
    grant_get,
    grant_list,
    person_doors_open_now,
    pk_parse,
    place_get,
    place_list,
)
from access.services.grants import grant_create, grant_delete
from access.services.places import door_create, place_create
from accounts.models import Organization
from accounts.selectors.groups import group_get
from accounts.selectors.people import person_get

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
ERRORS = {400: ERROR, 401: ERROR, 404: ERROR, 409: ERROR, 413: ERROR}


class ApiView(GenericAPIView):
    """Writes run in one transaction: a request that fails writes nothing."""

    # A view whose one write is itself atomic (the check) skips the outer transaction and
    # its savepoints.
    atomic_writes = True

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if self.atomic_writes and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    @property
    def org(self) -> Organization:
        return self.request.user.org

    @property
    def actor(self) -> Any:
        return self.request.user.actor

    def page(self, rows: Any, serializer_class: Any) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializer_class(page, many=True).data)


def _body_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


@extend_schema(tags=["places"], responses={200: PlaceSerializer, **ERRORS})
class PlacesView(ApiView):
    serializer_class = PlaceSerializer

    @extend_schema(summary="List the places", operation_id="places_list")
    def get(self, request: Request) -> Response:
        return self.page(place_list(org=self.org), PlaceSerializer)

    @extend_schema(
        operation_id="places_create",
        summary="Create a place",
        responses={201: PlaceSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = PlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        place = place_create(org=self.org, **data.validated_data, actor=self.actor)
        return Response(PlaceSerializer(place).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["doors"], responses={200: DoorSerializer, **ERRORS})
class DoorsView(ApiView):
    serializer_class = DoorSerializer

    @extend_schema(
        operation_id="doors_list",
        summary="List the doors",
        parameters=[OpenApiParameter("place", int, description="Only this place's doors.")],
    )
    def get(self, request: Request) -> Response:
        place = None
        if "place" in request.query_params:
            place = place_get(org=self.org, place_id=request.query_params["place"])
            if place is None:
                raise NotFound("No such place in this organization.")
        return self.page(door_list(org=self.org, place=place), DoorSerializer)

    @extend_schema(
        operation_id="doors_create",
        summary="Create a door",
        responses={201: DoorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = DoorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        place = place_get(org=self.org, place_id=data.validated_data["place_id"])
        if place is None:
            raise _body_error("place", "No place with this id in this organization.")
        door = door_create(place=place, name=data.validated_data["name"], actor=self.actor)
        return Response(DoorSerializer(door).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["grants"], responses={200: GrantSerializer, **ERRORS})
class GrantsView(ApiView):
    serializer_class = GrantSerializer

    @extend_schema(summary="List the grants", operation_id="grants_list")
    def get(self, request: Request) -> Response:
        return self.page(grant_list(org=self.org), GrantSerializer)

    @extend_schema(
        operation_id="grants_create",
        summary="Let a group open a door",
        description="Optionally only in weekly windows (the place's time zone; an end before "
        "the start crosses midnight) and between dates (inclusive). Several grants combine: "
        "one that covers now is enough.",
        responses={201: GrantSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = GrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = group_get(org=self.org, scim_id=values["group"]["scim_id"])
        if group is None:
            raise _body_error("group", "No group with this id in this organization.")
        door = door_get(org=self.org, door_id=values["door_id"])
        if door is None:
            raise _body_error("door", "No door with this id in this organization.")
        grant = grant_create(
            group=group,
            door=door,
            schedule=values.get("schedule"),
            valid_from=values.get("valid_from"),
            valid_until=values.get("valid_until"),
            actor=self.actor,
        )
        grant = grant_get(org=self.org, grant_id=grant.pk)
        return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["grants"], responses={200: GrantSerializer, **ERRORS})
class GrantView(ApiView):
    serializer_class = GrantSerializer

    def grant(self, grant_id: str) -> Any:
        grant = grant_get(org=self.org, grant_id=grant_id)
        if grant is None:
            raise NotFound("No such grant in this organization.")
        return grant

    @extend_schema(summary="Read a grant", operation_id="grants_read")
    def get(self, request: Request, grant_id: str) -> Response:
        return Response(GrantSerializer(self.grant(grant_id)).data)

    @extend_schema(
        operation_id="grants_delete", summary="Delete a grant", responses={204: None, **ERRORS}
    )
    def delete(self, request: Request, grant_id: str) -> Response:
        grant_delete(grant=self.grant(grant_id), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["access"])
class DoorCheckView(ApiView):
    """Reads, then one atomic write (the access event, in `access_check`)."""

    serializer_class = CheckRequestSerializer
    atomic_writes = False

    @extend_schema(
        operation_id="doors_check",
        summary="May this person (or card) open the door now?",
        description="The access decision. Every check is recorded as an access event. "
        "Reasons: " + ", ".join(f"`{r}`" for r in Reason.ALL) + ".",
        request=CheckRequestSerializer,
        responses={200: CheckResponseSerializer, **ERRORS},
    )
    def post(self, request: Request, door_id: str) -> Response:
        door_pk = pk_parse(door_id)
        if door_pk is None:
            raise NotFound("No such door in this organization.")
        data = CheckRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "person" in data.validated_data:
            subject = Subject("scim_id", data.validated_data["person"])
        else:
            subject = Subject("card", data.validated_data["card"])
        try:
            decision, event = access_check_ids(
                org_id=self.org.pk,
                door_id=door_pk,
                subject=subject,
                source=AccessEvent.Source.API,
                requested_by=str(request.user),
            )
        except DoorNotFound as exc:
            raise NotFound("No such door in this organization.") from exc
        except PersonNotFound as exc:
            raise _body_error("person", "No person with this id in this organization.") from exc
        return Response(
            {
                "decision": decision.decision,
                "reason": decision.reason,
                "grant": decision.grant.pk if decision.grant else None,
                "door": door_pk,
                "person": decision.person.scim_id if decision.person else None,
                "event": event.pk,
                "time": event.created_at,
            }
        )


@extend_schema(tags=["access"])
class PersonDoorsView(ApiView):
    serializer_class = PersonDoorSerializer

    @extend_schema(summary="The doors a person can open now", operation_id="people_doors")
    def get(self, request: Request, person_id: str) -> Response:
        person = person_get(org=self.org, scim_id=person_id)
        if person is None:
            raise NotFound("No such person in this organization.")
        return self.page(person_doors_open_now(org=self.org, person=person), PersonDoorSerializer)


@extend_schema(tags=["access"])
class EventsView(ApiView):
    serializer_class = EventSerializer

    @extend_schema(
        operation_id="events_list",
        summary="Access events, newest first",
        parameters=[
            OpenApiParameter("door", int, description="Only this door's events."),
            OpenApiParameter("person", str, description="Only this person's (SCIM id)."),
        ],
        responses={200: EventSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        door = person = None
        params = request.query_params
        if "door" in params:
            door = door_get(org=self.org, door_id=params["door"])
            if door is None:
                raise NotFound("No such door in this organization.")
        if "person" in params:
            person = person_get(org=self.org, scim_id=params["person"])
            if person is None:
                raise NotFound("No such person in this organization.")
        return self.page(access_event_list(org=self.org, door=door, person=person), EventSerializer)
