"""The sign-in page: Sign in with SSO (by work email or org ID, never revealing whether an
address is known), and Require SSO with the owner's audited break-glass password sign-in."""

import pytest
from django.core import mail
from django.test import Client

from accounts.actor import Actor
from accounts.models import AuditEvent
from sso.services import sso_options_set
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_with_sso_by_email_sends_known_and_unknown_addresses_alike(org, ada_person):
    known = Client().post("/login/sso/", {"identifier": "Ada@acme.example.com"})
    unknown = Client().post("/login/sso/", {"identifier": "nobody-at-all@acme.example.com"})
    assert (known.status_code, known["Location"]) == (302, "/saml/acme/login/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/saml/acme/login/")
    assert known.content == unknown.content


def test_sign_in_with_sso_by_org_id_keeps_next(org):
    response = Client().post("/login/sso/", {"identifier": " ACME ", "next": "/o/acme/people/"})
    assert response["Location"] == "/saml/acme/login/?next=%2Fo%2Facme%2Fpeople%2F"
    off_site = Client().post("/login/sso/", {"identifier": "acme", "next": "//evil.example"})
    assert off_site["Location"] == "/saml/acme/login/"


@pytest.mark.parametrize("identifier", ["someone@elsewhere.example", "no-such-org"])
def test_sign_in_with_sso_without_a_match_says_so_on_the_sign_in_page(org, identifier):
    response = Client().post("/login/sso/", {"identifier": identifier})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No organization with single sign-on matches that." in html
    assert 'name="password"' in html


def test_sign_in_with_sso_skips_orgs_whose_sso_is_off(make_org):
    make_org("initech", sso=False)
    response = Client().post("/login/sso/", {"identifier": "initech"})
    assert "No organization with single sign-on matches that." in response.content.decode()


def test_a_domain_shared_by_two_orgs_asks_for_the_org_id(org, other_org):
    from accounts.services.orgs import membership_add
    from tests.factories import AccountFactory

    membership_add(
        org=other_org, account=AccountFactory(email="x@acme.example.com"), actor=Actor.system()
    )
    response = Client().post("/login/sso/", {"identifier": "y@acme.example.com"})
    assert "enter your organization ID instead" in response.content.decode()


def test_an_empty_sso_form_is_a_400(db):
    assert Client().post("/login/sso/", {"identifier": ""}).status_code == 400


def test_the_sign_in_page_has_both_forms(client, db):
    html = client.get("/login/").content.decode()
    assert 'action="/login/sso/"' in html
    assert "Sign in with SSO" in html


@pytest.fixture
def ada_person(org):
    from accounts.services.people import person_create

    return person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())


@pytest.fixture
def require_sso(org, owner):
    sso_options_set(org=org, allow_idp_initiated=True, require_sso=True, actor=Actor.of(owner))
    mail.outbox.clear()


def _password(email: str):
    client = Client()
    return client, client.post("/login/", {"username": email, "password": PASSWORD})


def test_without_require_sso_admins_sign_in_with_a_password(org, admin_account):
    client, response = _password(admin_account.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_account.pk)


def test_require_sso_refuses_an_admins_password_sign_in(org, admin_account, require_sso):
    client, response = _password(admin_account.email)
    assert response.status_code == 200
    assert "Your organization requires single sign-on: use Sign in with SSO." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(org=org, action="sso.password_sign_in_refused")
    assert event.actor_label == admin_account.email


def test_a_wrong_password_under_require_sso_says_only_that(org, admin_account, require_sso):
    response = Client().post("/login/", {"username": admin_account.email, "password": "nope"})
    assert "Please enter a correct" in response.content.decode()
    assert not AuditEvent.objects.filter(action="sso.password_sign_in_refused").exists()


def test_the_owners_break_glass_sign_in_is_audited_and_emailed(
    org, owner, require_sso, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client, response = _password(owner.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    event = AuditEvent.objects.get(org=org, action="sso.break_glass_sign_in")
    assert event.actor_label == owner.email
    assert [m.subject for m in mail.outbox] == ["[KisiSCIM] Break-glass password sign-in"]
    assert mail.outbox[0].to == [owner.email]
    assert "requires single sign-on" in mail.outbox[0].body


def test_require_sso_is_not_enforced_while_sso_is_off(org, owner, admin_account, require_sso):
    from provisioning.services.scim_config import org_sso_disable

    org_sso_disable(org=org, actor=Actor.of(owner))
    _, response = _password(admin_account.email)
    assert response.status_code == 302


def test_require_sso_in_one_org_leaves_other_orgs_admins_alone(org, other_org, require_sso):
    from accounts.services.orgs import membership_add
    from tests.factories import AccountFactory

    account = AccountFactory(email="admin@globex.example.com")
    membership_add(org=other_org, account=account, actor=Actor.system())
    _, response = _password(account.email)
    assert response.status_code == 302
