from django import forms


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "All"), ("active", "Active"), ("suspended", "Suspended")],
    )
    # Set by the mass-deactivation banner's link: the people suspended since the alert's window
    # began.
    suspended_since = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class GroupFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")


class SuspendForm(forms.Form):
    """An emergency suspension: a reason is required (the owner is told it)."""

    reason = forms.CharField(
        max_length=500,
        label="Reason",
        help_text="Required. The owner is emailed it; the person's history keeps it.",
        widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": "reason-help"}),
        error_messages={"required": "Say why you suspend them (the owner is told)."},
    )
    confirm = forms.BooleanField(
        label="Yes: close every door for them now",
        error_messages={"required": "Tick the box to confirm: every door closes for them now."},
    )


class AuditFilterForm(forms.Form):
    """The audit trail's filters; every field optional, dates inclusive (UTC days)."""

    actor = forms.CharField(
        required=False,
        max_length=320,
        label="Who",
        help_text="okta, system, or part of an account's email",
    )
    action = forms.CharField(required=False, max_length=64, label="Action")
    target = forms.CharField(
        required=False, max_length=320, label="Person or group", help_text="Name or id"
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end is before the start.")
        return data
