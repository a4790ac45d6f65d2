"""What the REST API reads and writes. Types are strict: a number where a string belongs (or
the reverse) is a 400, not silently converted. Ids of other orgs' rows are resolved by the
views through the org's selectors, so they are "not found" (400 inside a body)."""

from typing import Any

from rest_framework import serializers

from access.decision import Reason
from access.models import AccessEvent, Door, Grant, Place


class StrictCharField(serializers.CharField):
    """A string, and only a string (DRF's CharField would take 5 as "5")."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An integer, and only a JSON integer (not "5", 5.0 or true)."""

    default_error_messages = {"invalid": "A valid integer is required."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class PlaceSerializer(serializers.ModelSerializer):
    name = StrictCharField(max_length=200)
    time_zone = StrictCharField(max_length=64, help_text="An IANA time zone, e.g. Europe/Berlin.")

    class Meta:
        model = Place
        fields = ["id", "name", "time_zone", "created_at"]
        read_only_fields = ["id", "created_at"]


class DoorSerializer(serializers.ModelSerializer):
    place = StrictIntegerField(source="place_id", min_value=1, help_text="The place's id.")
    name = StrictCharField(max_length=200)

    class Meta:
        model = Door
        fields = ["id", "place", "name", "locked_down", "created_at"]
        read_only_fields = ["id", "locked_down", "created_at"]


class WindowSerializer(serializers.Serializer):
    """Documents a weekly window; the grant service validates it (access.schedules)."""

    days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        help_text="Weekdays, Monday 0 to Sunday 6.",
    )
    start = serializers.CharField(help_text="HH:MM, the place's local time.")
    end = serializers.CharField(
        help_text="HH:MM (24:00 is midnight); before the start, the window crosses midnight."
    )


class GrantSerializer(serializers.ModelSerializer):
    group = StrictCharField(source="group.scim_id", max_length=64, help_text="The group's SCIM id.")
    door = StrictIntegerField(source="door_id", min_value=1, help_text="The door's id.")
    schedule = WindowSerializer(
        many=True,
        required=False,
        help_text="Weekly windows in the place's time zone; none means any time.",
    )
    valid_from = serializers.DateField(
        required=False, allow_null=True, help_text="First day (the place's calendar)."
    )
    valid_until = serializers.DateField(
        required=False, allow_null=True, help_text="Last day (inclusive)."
    )
    group_name = serializers.CharField(source="group.display_name", read_only=True)

    class Meta:
        model = Grant
        fields = [
            "id",
            "group",
            "group_name",
            "door",
            "schedule",
            "valid_from",
            "valid_until",
            "created_at",
            "created_by_label",
        ]
        read_only_fields = ["id", "group_name", "created_at", "created_by_label"]

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # The windows are validated by the service, with messages that name the window;
        # here they only need to be JSON (the nested serializer documents their shape).
        schedule = data.get("schedule") if isinstance(data, dict) else None
        if isinstance(data, dict) and "schedule" in data:
            data = {k: v for k, v in data.items() if k != "schedule"}
        value = super().to_internal_value(data)
        value["schedule"] = schedule
        return value


class CheckRequestSerializer(serializers.Serializer):
    person = StrictCharField(
        required=False, max_length=64, help_text="The person's SCIM id (one of person, card)."
    )
    card = StrictCharField(
        required=False, max_length=64, help_text="A card number (one of person, card)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("person" in attrs) == ("card" in attrs):
            raise serializers.ValidationError("Give exactly one of 'person' and 'card'.")
        return attrs


class CheckResponseSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=AccessEvent.Decision.choices)
    reason = serializers.ChoiceField(choices=[(r, r) for r in Reason.ALL])
    grant = serializers.IntegerField(allow_null=True, help_text="The grant that allowed it.")
    door = serializers.IntegerField()
    person = serializers.CharField(allow_null=True, help_text="The person's SCIM id.")
    event = serializers.IntegerField(help_text="The access event recorded.")
    time = serializers.DateTimeField()


class PersonDoorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="door.id")
    name = serializers.CharField(source="door.name")
    place = serializers.IntegerField(source="door.place_id")
    place_name = serializers.CharField(source="door.place.name")
    grant = serializers.IntegerField(source="grant.id", help_text="A grant that allows it now.")
    group = serializers.CharField(source="grant.group.scim_id", help_text="Through this group.")


class EventSerializer(serializers.ModelSerializer):
    time = serializers.DateTimeField(source="created_at")
    door = serializers.IntegerField(source="door_id", allow_null=True)
    door_name = serializers.CharField(source="door_label")
    person = serializers.CharField(
        source="person_scim_id", allow_null=True, help_text="SCIM id; null for an unknown card."
    )
    card = serializers.CharField(source="card_number", allow_null=True)
    grant = serializers.IntegerField(source="grant_id", allow_null=True)
    latency_ms = serializers.FloatField()

    class Meta:
        model = AccessEvent
        fields = [
            "id",
            "time",
            "door",
            "door_name",
            "person",
            "card",
            "decision",
            "reason",
            "grant",
            "source",
            "latency_ms",
        ]

    def to_representation(self, instance: AccessEvent) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["person"] = data["person"] or None
        data["card"] = data["card"] or None
        return data
