from django import forms


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "All"), ("active", "Active"), ("suspended", "Suspended")],
    )


class GroupFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
