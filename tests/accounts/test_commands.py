"""`create_org`: good input does the job; bad input is refused with one clear line, a non-zero
exit, and no change at all."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import (
    Account,
    Membership,
    Organization,
)
from sso.selectors import sso_get
from tests.commands import call, refused
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


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
    out = call(
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
    out = call("create_org", "acme-eu", "--name", "Acme EU", "--owner-email", owner.email)
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
    assert refused("create_org", *args).startswith(message)


def test_create_org_prompts_for_a_new_owners_password_on_a_terminal(terminal):
    answers, prompts = terminal
    answers.extend([PASSWORD, PASSWORD])
    call("create_org", "newco", "--name", "NewCo", "--owner-email", "boss@newco.example.com")
    assert prompts == ["Owner password: ", "Owner password (again): "]
    assert Account.objects.get(email="boss@newco.example.com").check_password(PASSWORD)


def test_create_org_refuses_mismatched_passwords(terminal):
    answers, _ = terminal
    answers.extend([PASSWORD, PASSWORD + "x"])
    message = refused(
        "create_org", "newco", "--name", "NewCo", "--owner-email", "boss@newco.example.com"
    )
    assert message == "The passwords do not match."


def test_create_org_cancelled_at_the_prompt(terminal):
    message = refused(
        "create_org", "newco", "--name", "NewCo", "--owner-email", "boss@newco.example.com"
    )
    assert message == "Cancelled: no owner password given."


def test_create_org_does_not_prompt_for_an_existing_owner_or_a_bad_slug(org, owner, terminal):
    _, prompts = terminal
    call("create_org", "acme-eu", "--name", "Acme EU", "--owner-email", "OWNER@acme.example.com")
    message = refused("create_org", "NO", "--name", "X", "--owner-email", "n@n.example.com")
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
