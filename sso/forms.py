"""The SSO set-up form of the owner's SSO & SCIM page: it validates; the services write."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from sso.services import (
    MAX_METADATA_BYTES,
    IdPSettings,
    sso_metadata_parse,
    sso_settings_validate,
)

MANUAL_FIELDS = ("entity_id", "sso_url", "certificate")


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
        manual = any((data.get(name) or "").strip() for name in MANUAL_FIELDS)
        if upload and manual:
            raise ValidationError(
                "Upload the metadata file or enter the settings by hand, not both.",
                code="both",
            )
        if not upload and not manual:
            raise ValidationError(
                "Upload the IdP metadata XML, or enter the entity ID, SSO URL and signing "
                "certificate.",
                code="empty",
            )
        try:
            idp: IdPSettings = (
                sso_metadata_parse(_read_upload(upload))
                if upload
                else sso_settings_validate(
                    entity_id=data.get("entity_id", ""),
                    sso_url=data.get("sso_url", ""),
                    certificate=data.get("certificate", ""),
                )
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
