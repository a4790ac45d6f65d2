from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from provisioning.services.cleanup import (
    REASON_MAX_LENGTH,
    THRESHOLD_MAX_DAYS,
    THRESHOLD_MIN_DAYS,
)

# One page of findings is what a decision covers; a bigger list is a forged request.
MAX_SELECTION = 500


class FindingIdsField(forms.Field):
    """The ids of the findings ticked on the page (checkboxes named `findings`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Select at least one person.",
        "invalid": "The selection is not valid; reload the page and try again.",
    }

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > MAX_SELECTION:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            ids = sorted({int(v) for v in value})
        except (TypeError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        # Primary keys are 64-bit: a larger number would overflow the database driver.
        if ids and (ids[0] < 1 or ids[-1] > 2**63 - 1):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


class CleanupDecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("delete", "Delete permanently"), ("keep", "Keep")],
        error_messages={"required": "Choose Delete permanently or Keep."},
    )
    findings = FindingIdsField()
    reason = forms.CharField(required=False, max_length=REASON_MAX_LENGTH, strip=True)
    confirm = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "keep" and not data.get("reason"):
            self.add_error("reason", "Say why these people are kept.")
        return data


class CleanupThresholdForm(forms.Form):
    days = forms.IntegerField(
        min_value=THRESHOLD_MIN_DAYS,
        max_value=THRESHOLD_MAX_DAYS,
        label="Flag people suspended for more than (days)",
    )
