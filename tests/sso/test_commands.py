"""`sso_configure`: good input sets up and enables SSO; bad input is refused with one clear
line, a non-zero exit, and no change at all."""

import datetime as dt

import pytest

from accounts.models import (
    AuditEvent,
)
from sso.models import SSOConnection
from sso.selectors import sso_get
from sso.services import DEMO_METADATA_PATH
from tests.commands import call, refused
from tests.sso.idp import certificate_pem

pytestmark = pytest.mark.django_db


# sso_configure -------------------------------------------------------------------------------


def test_sso_configure_demo_enables_sso(make_org, other_org):
    org = make_org("initech", sso=False)
    out = call("sso_configure", "initech", "--demo")
    sso = sso_get(org=org)
    assert out == f"SSO enabled for initech: {sso.idp_entity_id} ({sso.sso_url}).\n"
    assert sso.state == SSOConnection.State.ENABLED
    assert sso.sso_url.startswith("https://")
    assert sso.signing_certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert sso.certificate_not_after is not None
    assert list(
        AuditEvent.objects.filter(org=org, action__startswith="sso.").values_list("action")
    ) == [("sso.enabled",), ("sso.configured",)]


def test_sso_configure_from_a_metadata_file(make_org, tmp_path):
    org = make_org("initech", sso=False)
    metadata = tmp_path / "idp.xml"
    metadata.write_bytes(DEMO_METADATA_PATH.read_bytes())
    call("sso_configure", "initech", "--metadata", str(metadata))
    assert sso_get(org=org).state == SSOConnection.State.ENABLED


def test_sso_configure_from_explicit_settings(make_org, tmp_path):
    org = make_org("initech", sso=False)
    pem = certificate_pem(days_valid=90)
    cert = tmp_path / "idp.pem"
    cert.write_text(pem)
    out = call(
        "sso_configure",
        "initech",
        "--entity-id",
        "http://www.okta.com/exk1",
        "--sso-url",
        "https://initech.okta.com/app/sso/saml",
        "--cert-file",
        str(cert),
    )
    assert out == (
        "SSO enabled for initech: http://www.okta.com/exk1 (https://initech.okta.com/app/sso/saml).\n"
    )
    sso = sso_get(org=org)
    assert (sso.state, sso.idp_entity_id, sso.sso_url, sso.signing_certificate) == (
        "enabled",
        "http://www.okta.com/exk1",
        "https://initech.okta.com/app/sso/saml",
        pem,
    )


@pytest.fixture
def files(tmp_path):
    paths = {
        "good_pem": certificate_pem(days_valid=90),
        "expired_pem": certificate_pem(expired_on=dt.datetime(2021, 1, 1, tzinfo=dt.UTC)),
        "garbage_pem": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
        "broken_xml": "<EntityDescriptor",
        "not_idp_xml": '<?xml version="1.0"?><root xmlns="urn:example"/>',
    }
    for name, text in paths.items():
        (tmp_path / name).write_text(text)
    return tmp_path


URL = "https://idp.example.com/sso"
EXPLICIT = ["initech", "--entity-id", "urn:idp", "--sso-url", URL, "--cert-file"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--demo"], "No organization with slug 'nope'."),
        (["initech", "--entity-id", "urn:idp"], "--entity-id needs --sso-url and --cert-file."),
        (
            ["initech", "--entity-id", "urn:idp", "--sso-url", URL],
            "--entity-id needs --sso-url and --cert-file.",
        ),
        (["initech", "--demo", "--sso-url", URL], "--sso-url and --cert-file go with --entity-id"),
        (
            [*EXPLICIT[:4], "http://idp.example.com/sso", "--cert-file", "{dir}/good_pem"],
            "The SSO URL must be an https:// URL.",
        ),
        (
            [*EXPLICIT, "{dir}/expired_pem"],
            "The certificate expired on 2021-01-01.",
        ),
        (
            [*EXPLICIT, "{dir}/garbage_pem"],
            "The signing certificate could not be read",
        ),
        (
            [*EXPLICIT, "{dir}/missing.pem"],
            "Cannot read {dir}/missing.pem: No such file or directory.",
        ),
        (["initech", "--metadata", "{dir}/broken_xml"], "The metadata is not well-formed XML"),
        (["initech", "--metadata", "{dir}/not_idp_xml"], "This is not SAML 2.0 IdP metadata"),
        (["initech", "--metadata", "{dir}"], "Cannot read {dir}: Is a directory."),
        (["initech"], "Error: one of the arguments --metadata --entity-id --demo is required"),
        (["initech", "--demo", "--metadata", "x.xml"], "Error: argument --metadata: not allowed"),
    ],
)
def test_sso_configure_refuses_bad_input(make_org, files, args, message):
    org = make_org("initech", sso=False)
    args = [a.replace("{dir}", str(files)) for a in args]
    assert refused("sso_configure", *args).startswith(message.replace("{dir}", str(files)))
    assert sso_get(org=org).state == SSOConnection.State.NOT_CONFIGURED


def test_sso_configure_refused_keeps_an_enabled_sso_as_it_was(org, files):
    before = sso_get(org=org)
    refused(
        "sso_configure",
        "acme",
        "--entity-id",
        "urn:new",
        "--sso-url",
        URL,
        "--cert-file",
        str(files / "expired_pem"),
    )
    after = sso_get(org=org)
    assert (after.state, after.idp_entity_id, after.updated_at) == (
        "enabled",
        before.idp_entity_id,
        before.updated_at,
    )
