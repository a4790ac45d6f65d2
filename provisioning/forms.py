"""Forms of the SSO & SCIM page's SCIM actions and of the Cleanup audit page. They validate
input; the services do the writes."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from provisioning.models import ScimToken
from provisioning.services.cleanup import (
    REASON_MAX_LENGTH,
    THRESHOLD_MAX_DAYS,
    THRESHOLD_MIN_DAYS,
)
from provisioning.services.tokens import DEFAULT_EXPIRY_DAYS, DEFAULT_NAME, NAME_MAX_LENGTH


class ConfirmForm(forms.Form):
    """A step that must be confirmed on purpose: works without JavaScript."""

    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to confirm."},
    )

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label


EXPIRY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("never", "No expiry (not recommended)"),
]


class TokenSettingsForm(forms.Form):
    """A new token's name and lifetime (1 year unless chosen otherwise)."""

    name = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Name",
        help_text="Where the token goes, e.g. “Okta” or “Okta (rotated in June)”.",
    )
    expires = forms.ChoiceField(
        required=False,
        choices=EXPIRY_CHOICES,
        initial="365",
        label="Expires after",
        help_text="You are emailed 30 and 7 days before it expires. A token that never expires "
        "keeps working if it leaks, until someone revokes it.",
    )
    default_name = DEFAULT_NAME

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["name"] = (data.get("name") or "").strip() or self.default_name
        expires = data.get("expires") or str(DEFAULT_EXPIRY_DAYS)
        data["expires_in_days"] = None if expires == "never" else int(expires)
        return data


class TokenGenerateForm(TokenSettingsForm):
    """Generate the first token, or replace the live ones (which must be confirmed).

    `current` names the live tokens the page was showing; if they are no longer the live
    ones (a second tab, a resubmitted POST after reload), nothing is generated, so a stale
    page never silently revokes the token Okta just received.
    """

    current = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        required=False,
        label="I understand the current tokens stop working at once and Okta must be updated "
        "with the new one.",
    )

    STALE = "stale"

    def __init__(self, *args: Any, live_tokens: list[ScimToken], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live_tokens = live_tokens
        self.fields["current"].initial = self._expected()

    def _expected(self) -> str:
        return ",".join(str(t.pk) for t in sorted(self.live_tokens, key=lambda t: t.pk))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("current") or "") != self._expected():
            raise ValidationError(
                "The tokens changed since this page was loaded; nothing was generated.",
                code=self.STALE,
            )
        if self.live_tokens and not data.get("confirm"):
            self.add_error("confirm", "Tick the box to confirm: Okta must be updated.")
        return data

    @property
    def is_stale(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, code=self.STALE)


class TokenAddForm(TokenSettingsForm):
    """A second token beside the live one, for rotating Okta's without a failed request."""

    default_name = "Okta (new)"


# One page of findings is what a decision covers; a bigger list is a forged request.
MAX_SELECTION = 500


class FindingIdsField(forms.Field):
    """The ids of the findings ticked on the page (checkboxes named `findings`)."""

    widget = forms.MultipleHiddenInput
    max_selection = MAX_SELECTION
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


class LogFilterForm(forms.Form):
    """The provisioning log's filters; every field is optional."""

    outcome = forms.ChoiceField(
        required=False,
        choices=[("", "Any outcome"), ("ok", "OK"), ("error", "Error"),
                 ("rejected", "Rejected token")],
    )  # fmt: skip
    resource = forms.ChoiceField(
        required=False,
        choices=[("", "Any resource"), ("users", "People"), ("groups", "Groups"),
                 ("other", "Other")],
    )  # fmt: skip
    target = forms.CharField(required=False, max_length=320, label="Person or group", strip=True)
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data
