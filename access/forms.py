"""Console forms of the access pages. They check shapes; the services check the rules (and
their ValidationErrors come back as form errors)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from access.schedules import DAY_NAMES, time_zone_names

WINDOW_ROWS = 3
DAY_CHOICES = [(str(i), name) for i, name in enumerate(DAY_NAMES)]


def _zone_choices() -> list[tuple[str, str]]:
    names = sorted(n for n in time_zone_names() if "/" in n and not n.startswith("Etc/"))
    return [("", "Choose a time zone…"), ("UTC", "UTC"), *[(n, n) for n in names]]


class PlaceForm(forms.Form):
    name = forms.CharField(max_length=200)
    time_zone = forms.ChoiceField(choices=_zone_choices)


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200)


class DoorForm(forms.Form):
    place = forms.TypedChoiceField(coerce=int)
    name = forms.CharField(max_length=200)

    def __init__(self, *args: Any, places: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.name) for p in places]


class GrantForm(forms.Form):
    """A door, up to three weekly windows (blank rows are ignored; none means any time) and
    optional first and last days."""

    door = forms.TypedChoiceField(coerce=int)
    valid_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, doors: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["door"].choices = [(d.pk, f"{d.place.name} · {d.name}") for d in doors]
        for i in range(WINDOW_ROWS):
            self.fields[f"days_{i}"] = forms.MultipleChoiceField(
                choices=DAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
            )
            self.fields[f"start_{i}"] = forms.CharField(
                required=False, max_length=5, widget=forms.TextInput(attrs={"placeholder": "08:00"})
            )
            self.fields[f"end_{i}"] = forms.CharField(
                required=False, max_length=5, widget=forms.TextInput(attrs={"placeholder": "18:00"})
            )

    def window_rows(self) -> list[dict[str, Any]]:
        return [
            {"days": self[f"days_{i}"], "start": self[f"start_{i}"], "end": self[f"end_{i}"]}
            for i in range(WINDOW_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        schedule = []
        for i in range(WINDOW_ROWS):
            days = data.get(f"days_{i}") or []
            start = (data.get(f"start_{i}") or "").strip()
            end = (data.get(f"end_{i}") or "").strip()
            if not (days or start or end):
                continue
            if not (days and start and end):
                raise ValidationError(
                    f"Window {i + 1}: choose its days and give a start and an end (HH:MM)."
                )
            schedule.append({"days": [int(d) for d in days], "start": start, "end": end})
        data["schedule"] = schedule
        return data


class CardForm(forms.Form):
    number = forms.CharField(max_length=64, label="Card number")


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="What will use it.")


class WhyForm(forms.Form):
    person = forms.CharField(max_length=255, label="Person (userName)")
