"""Management commands: good input does the job; bad input is refused with one clear line,
a non-zero exit, and no change at all."""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import (
    Account,
    AuditEvent,
    Group,
    GroupMembership,
    Membership,
    Organization,
    Person,
)
from console.management.commands import seed_demo
from sso.models import SSOConnection
from sso.selectors import sso_get
from sso.services import DEMO_METADATA_PATH
from tests.conftest import PASSWORD
from tests.provisioning.idp import certificate_pem

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def _state() -> dict[str, object]:
    """Everything a command could change, to prove a refused command changed nothing."""
    return {
        "orgs": list(Organization.objects.order_by("slug").values_list("slug", "name")),
        "accounts": list(Account.objects.order_by("email").values_list("email", "password")),
        "memberships": list(
            Membership.objects.order_by("id").values_list("account_id", "org_id", "role")
        ),
        "sso": list(
            SSOConnection.objects.order_by("org_id").values_list(
                "org_id", "state", "idp_entity_id", "sso_url", "signing_certificate"
            )
        ),
        "people": Person.objects.count(),
        "groups": Group.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _refused(*args: str) -> str:
    """Run a command that must fail; return its one-line message after checking nothing moved."""
    before = _state()
    with pytest.raises(CommandError) as excinfo:
        _call(*args)
    assert _state() == before
    message = str(excinfo.value)
    assert "\n" not in message
    return message


@pytest.fixture
def not_a_tty(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """stdin is a terminal; `answers` are what the person types at the password prompts."""
    answers: list[str] = []
    prompts: list[str] = []
    monkeypatch.setattr(sys, "stdin", _Terminal(""))

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        if not answers:
            raise EOFError
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", getpass)
    return answers, prompts


# create_org ----------------------------------------------------------------------------------


def test_create_org_with_a_new_owner(not_a_tty):
    out = _call(
        "create_org",
        "initech",
        "--name",
        "Initech",
        "--owner-email",
        "Peter@Initech.example.com",
        "--owner-password",
        PASSWORD,
    )
    assert out == "Created organization initech (Initech) owned by peter@initech.example.com.\n"
    org = Organization.objects.get(slug="initech")
    owner = Membership.objects.get(org=org, role="owner").account
    assert owner.email == "peter@initech.example.com"
    assert owner.check_password(PASSWORD)
    assert sso_get(org=org).state == "not_configured"


def test_create_org_for_an_existing_account_needs_no_password(org, owner, not_a_tty):
    out = _call("create_org", "acme-eu", "--name", "Acme EU", "--owner-email", owner.email)
    assert out == "Created organization acme-eu (Acme EU) owned by owner@acme.example.com.\n"
    assert Membership.objects.get(org__slug="acme-eu").account == owner


NEWCO = ["newco", "--name", "NewCo", "--owner-email", "boss@newco.example.com"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["Bad_Slug", "--name", "X", "--owner-email", "x@x.example.com"],
            "Invalid slug 'Bad_Slug': use 1-63 lowercase letters, digits and inner hyphens.",
        ),
        (
            ["acme", "--name", "Again", "--owner-email", "x@x.example.com"],
            "An organization with slug 'acme' already exists.",
        ),
        (
            ["newco", "--name", " ", "--owner-email", "x@x.example.com"],
            "The organization needs a name.",
        ),
        (
            ["newco", "--name", "NewCo", "--owner-email", "not an email"],
            "Invalid owner email 'not an email'.",
        ),
        (
            NEWCO,
            "A new owner account needs a password.",
        ),
        (
            [*NEWCO, "--owner-password", "12345678"],
            "This password is too common. This password is entirely numeric.",
        ),
        (["newco", "--owner-email", "boss@newco.example.com"], "Error: the following arguments "),
    ],
)
def test_create_org_refuses_bad_input(org, not_a_tty, args, message):
    assert _refused("create_org", *args).startswith(message)


def test_create_org_prompts_for_a_new_owners_password_on_a_terminal(terminal):
    answers, prompts = terminal
    answers.extend([PASSWORD, PASSWORD])
    _call("create_org", "newco", "--name", "NewCo", "--owner-email", "boss@newco.example.com")
    assert prompts == ["Owner password: ", "Owner password (again): "]
    assert Account.objects.get(email="boss@newco.example.com").check_password(PASSWORD)


def test_create_org_refuses_mismatched_passwords(terminal):
    answers, _ = terminal
    answers.extend([PASSWORD, PASSWORD + "x"])
    message = _refused(
        "create_org", "newco", "--name", "NewCo", "--owner-email", "boss@newco.example.com"
    )
    assert message == "The passwords do not match."


def test_create_org_cancelled_at_the_prompt(terminal):
    message = _refused(
        "create_org", "newco", "--name", "NewCo", "--owner-email", "boss@newco.example.com"
    )
    assert message == "Cancelled: no owner password given."


def test_create_org_does_not_prompt_for_an_existing_owner_or_a_bad_slug(org, owner, terminal):
    _, prompts = terminal
    _call("create_org", "acme-eu", "--name", "Acme EU", "--owner-email", "OWNER@acme.example.com")
    message = _refused("create_org", "NO", "--name", "X", "--owner-email", "n@n.example.com")
    assert message.startswith("Invalid slug 'NO'")
    assert prompts == []


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["Bad Slug", "--name", "X", "--owner-email", "x@x.example.com"],
            "CommandError: Invalid slug 'Bad Slug': use 1-63 lowercase letters, digits and "
            "inner hyphens.\n",
        ),
        (
            ["acme"],
            "manage.py create_org: error: the following arguments are required: "
            "--name, --owner-email\n",
        ),
    ],
)
def test_create_org_from_the_shell_fails_in_one_line(args, stderr):
    """Run as a real process: non-zero exit, one line on stderr, nothing on stdout. The
    input fails validation before any database access."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kisiscim.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "create_org", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert (result.stdout, result.stderr) == ("", stderr)


# sso_configure -------------------------------------------------------------------------------


def _sso(org: Organization) -> SSOConnection:
    return sso_get(org=org)


def test_sso_configure_demo_enables_sso(make_org, other_org):
    org = make_org("initech", sso=False)
    out = _call("sso_configure", "initech", "--demo")
    sso = _sso(org)
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
    _call("sso_configure", "initech", "--metadata", str(metadata))
    assert _sso(org).state == SSOConnection.State.ENABLED


def test_sso_configure_from_explicit_settings(make_org, tmp_path):
    org = make_org("initech", sso=False)
    pem = certificate_pem(days_valid=90)
    cert = tmp_path / "idp.pem"
    cert.write_text(pem)
    out = _call(
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
    sso = _sso(org)
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
    assert _refused("sso_configure", *args).startswith(message.replace("{dir}", str(files)))
    assert _sso(org).state == SSOConnection.State.NOT_CONFIGURED


def test_sso_configure_refused_keeps_an_enabled_sso_as_it_was(org, files):
    before = _sso(org)
    _refused(
        "sso_configure",
        "acme",
        "--entity-id",
        "urn:new",
        "--sso-url",
        URL,
        "--cert-file",
        str(files / "expired_pem"),
    )
    after = _sso(org)
    assert (after.state, after.idp_entity_id, after.updated_at) == (
        "enabled",
        before.idp_entity_id,
        before.updated_at,
    )


# seed_demo -----------------------------------------------------------------------------------


def test_seed_demo_creates_a_demo_org_and_is_safe_to_run_twice(other_org):
    out = _call("seed_demo")
    assert out == (
        f"Created the demo organization. Sign in as {seed_demo.DEMO_OWNER} with password "
        f"{seed_demo.DEMO_PASSWORD}\n"
    )
    org = Organization.objects.get(slug="demo")
    owner = Membership.objects.get(org=org, role="owner").account
    assert owner.email == seed_demo.DEMO_OWNER
    assert owner.check_password(seed_demo.DEMO_PASSWORD)
    assert _sso(org).state == SSOConnection.State.ENABLED
    assert Person.objects.filter(org=org, is_active=True).count() == 4
    assert list(
        Person.objects.filter(org=org, is_active=False).values_list("user_name", flat=True)
    ) == ["edsger.dijkstra@demo.kisiscim.local"]
    assert {g.display_name: g.members.count() for g in Group.objects.filter(org=org)} == {
        "HQ Front Door": 4,
        "Server Room": 2,
        "Parking Garage": 2,
    }
    assert not Person.objects.filter(org=other_org).exists()

    before = _state()
    memberships = GroupMembership.objects.count()
    again = _call("seed_demo")
    assert again == (f"The demo organization exists already; sign in as {seed_demo.DEMO_OWNER}.\n")
    assert _state() == before
    assert GroupMembership.objects.count() == memberships
    assert _call("seed_demo", "--quiet-if-exists") == ""
    assert _state() == before


def test_seed_demo_refuses_unknown_options():
    assert _refused("seed_demo", "--bogus") == "Error: unrecognized arguments: --bogus"
