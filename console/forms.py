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
