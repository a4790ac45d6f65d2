"""The SSO forms: the set-up and sign-in options of the owner's SSO & SCIM page, and the
sign-in page's two forms (password, and Sign in with SSO). They validate; services write."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.models import Account
from sso.services import (
    MAX_METADATA_BYTES,
    IdPSettings,
    sso_metadata_parse,
    sso_metadata_url_load,
    sso_settings_validate,
)
from sso.sign_in import password_sign_in_refused_orgs

MANUAL_FIELDS = ("entity_id", "sso_url", "certificate", "certificate_2")


class SSOSetupForm(forms.Form):
    """IdP settings, from an uploaded metadata file or typed in; checked for real.

    A valid form carries the validated settings in `cleaned_data["idp"]`. Problems are
    reported next to the field they concern (the metadata upload, or one of the three
    manual fields).
    """

    metadata = forms.FileField(
        required=False,
        label="IdP metadata XML",
        help_text="The SAML 2.0 metadata file your identity provider offers for download.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    metadata_url = forms.CharField(
        required=False,
        max_length=1024,
        label="IdP metadata URL",
        help_text="Fetched now and again every day, so a new signing certificate is picked up "
        "by itself. Okta: Sign On → Metadata URL.",
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )
    entity_id = forms.CharField(
        required=False,
        max_length=1024,
        label="IdP entity ID",
        help_text="Okta calls it “Identity Provider Issuer”.",
    )
    sso_url = forms.CharField(
        required=False,
        max_length=1024,
        label="SSO URL",
        help_text="Okta calls it “Identity Provider Single Sign-On URL”; it must be https://.",
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )
    certificate = forms.CharField(
        required=False,
        max_length=20_000,
        label="Signing certificate (PEM)",
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "-----BEGIN CERTIFICATE-----", "spellcheck": "false"}
        ),
    )
    certificate_2 = forms.CharField(
        required=False,
        max_length=20_000,
        label="Second signing certificate (PEM, optional)",
        help_text="During an IdP key rollover: responses signed with either one are accepted.",
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "-----BEGIN CERTIFICATE-----", "spellcheck": "false"}
        ),
    )
    enable = forms.BooleanField(
        required=False,
        initial=True,
        label="Enable SSO once saved",
        help_text="SCIM can be enabled only while SSO is enabled.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        upload = data.get("metadata")
        url = (data.get("metadata_url") or "").strip()
        manual = any((data.get(name) or "").strip() for name in MANUAL_FIELDS)
        if sum(map(bool, (upload, url, manual))) > 1:
            raise ValidationError(
                "Upload the metadata file, give its URL, or enter the settings by hand: "
                "one of the three.",
                code="both",
            )
        if not upload and not url and not manual:
            raise ValidationError(
                "Upload the IdP metadata XML, give its URL, or enter the entity ID, SSO URL "
                "and signing certificate.",
                code="empty",
            )
        try:
            idp: IdPSettings
            if upload:
                idp = sso_metadata_parse(_read_upload(upload))
            elif url:
                idp = sso_metadata_url_load(url)
            else:
                idp = sso_settings_validate(
                    entity_id=data.get("entity_id", ""),
                    sso_url=data.get("sso_url", ""),
                    certificate=data.get("certificate", ""),
                    certificate_2=data.get("certificate_2", ""),
                )
        except ValidationError as exc:
            # The services key their errors by these form fields' names.
            self.add_error(None, exc)
        else:
            data["idp"] = idp
        return data


def _read_upload(upload: Any) -> bytes:
    if upload.size > MAX_METADATA_BYTES:
        raise ValidationError({"metadata": ["The metadata file is larger than 512 KB."]})
    return upload.read()


class SSOOptionsForm(forms.Form):
    """The org's sign-in switches."""

    allow_idp_initiated = forms.BooleanField(
        required=False,
        label="Allow sign-in from the IdP's app tile",
        help_text="IdP-initiated sign-in, as Okta's dashboard starts it. Off: people start "
        "from this product's sign-in page.",
    )
    require_sso = forms.BooleanField(
        required=False,
        label="Require SSO",
        help_text="Admins can no longer sign in with a password. You, the owner, keep a "
        "password sign-in for emergencies: each use is recorded and emailed to you.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PasswordSignInForm(AuthenticationForm):
    """Django's sign-in form (authenticate() does the checking, so a throttling backend can
    sit in front of it), refusing admins of orgs that require SSO."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "sso_required": "Your organization requires single sign-on: use Sign in with SSO.",
    }

    def confirm_login_allowed(self, user: Account) -> None:  # type: ignore[override]
        super().confirm_login_allowed(user)
        self.sso_refused = password_sign_in_refused_orgs(account=user)
        if self.sso_refused:
            raise ValidationError(self.error_messages["sso_required"], code="sso_required")


class SSOStartForm(forms.Form):
    """Sign in with SSO: a work email or the organization's ID."""

    identifier = forms.CharField(
        max_length=320,
        label="Work email or organization ID",
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    next = forms.CharField(required=False, max_length=2048, widget=forms.HiddenInput)
