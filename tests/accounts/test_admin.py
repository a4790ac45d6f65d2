"""The staff admin: every model's pages load, lists search and filter, audit events are
read-only, writes that would break a domain rule are refused, and no secret is ever shown."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.actor import Actor
from accounts.models import (
    Account,
    AuditEvent,
    Group,
    GroupMembership,
    Membership,
    Organization,
    Person,
    PersonEmail,
)
from accounts.services.groups import group_create
from accounts.services.people import EmailData, person_create, person_suspend
from sso.models import SSOConnection
from tests.conftest import PASSWORD
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)


class _FormFields(HTMLParser):
    """The fields a browser would submit from the page's forms (single values only)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file", "image"):
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name and "multiple" not in a:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += (
                data.lstrip("\n") if not self.data[self._textarea] else data
            )


def _form_data(response) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.data


def _add_inline_row(data: dict[str, str], prefix: str, **values: str) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for key, value in list(data.items()):
        if key.startswith(f"{prefix}-__prefix__-"):
            data[key.replace("__prefix__", str(index))] = value
    for field, value in values.items():
        data[f"{prefix}-{index}-{field}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


@pytest.fixture
def staff() -> Account:
    return Account.objects.create_superuser("staff@kisi.example.com", PASSWORD)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def rows(org, other_org, owner):
    """A person, a suspended person and a group in each org, and their audit events."""
    made = {}
    for o in (org, other_org):
        active = person_create(
            org=o,
            user_name=f"ada@{o.slug}.example.com",
            given_name="Ada",
            emails=[EmailData(f"ada@{o.slug}.example.com", "work", True)],
            actor=Actor.of(owner) if o == org else Actor.system(),
        )
        with time_machine.travel(T0, tick=False):
            gone = person_create(
                org=o, user_name=f"gone@{o.slug}.example.com", actor=Actor.system()
            )
            person_suspend(person=gone, actor=Actor.scim())
        group = group_create(
            org=o, display_name=f"{o.slug} door", member_ids=[active.scim_id], actor=Actor.system()
        )
        made[o.slug] = {"active": active, "gone": gone, "group": group}
    return made


def _url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_is_registered():
    registered = set(admin.site._registry)
    for model in (
        Organization,
        Account,
        Membership,
        SSOConnection,
        Person,
        Group,
        AuditEvent,
    ):
        assert model in registered, model


def test_every_changelist_and_add_page_loads(staff_client, rows):
    for model, model_admin in admin.site._registry.items():
        response = staff_client.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        add = staff_client.get(_url(model, "add"))
        expected = 200 if model_admin.has_add_permission(add.wsgi_request) else 403
        assert add.status_code == expected, model


def test_every_accounts_change_page_loads(staff_client, rows, org, owner):
    objects = [
        org,
        owner,
        Membership.objects.get(account=owner),
        SSOConnection.objects.get(org=org),
        rows["acme"]["active"],
        rows["acme"]["group"],
        AuditEvent.objects.filter(org=org).first(),
        PersonEmail.objects.first(),
        GroupMembership.objects.first(),
    ]
    for obj in objects:
        if type(obj) not in admin.site._registry:
            continue  # shown inline on its parent's page
        response = staff_client.get(_url(type(obj), "change", obj.pk))
        assert response.status_code == 200, obj
        assert str(obj) in response.content.decode(), obj


def test_the_admin_is_for_staff_only(client, owner_client, org):
    for c in (client, owner_client):
        response = c.get("/admin/accounts/person/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


def test_people_list_columns_search_and_filters(staff_client, rows):
    response = staff_client.get("/admin/accounts/person/")
    html = response.content.decode()
    for column in ("User name", "Org", "Given name", "Suspended at", "Send emails"):
        assert column in html
    assert "ada@acme.example.com" in html
    assert "ada@globex.example.com" in html

    def listed(query: str) -> list[str]:
        cl = staff_client.get("/admin/accounts/person/" + query).context["cl"]
        return sorted(p.user_name for p in cl.result_list)

    assert listed("?q=gone") == ["gone@acme.example.com", "gone@globex.example.com"]
    assert listed("?is_active__exact=0") == ["gone@acme.example.com", "gone@globex.example.com"]
    acme = rows["acme"]["active"].org
    assert listed(f"?org__id__exact={acme.pk}") == ["ada@acme.example.com", "gone@acme.example.com"]
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        assert listed("?suspended_days=30") == [
            "gone@acme.example.com",
            "gone@globex.example.com",
        ]
        assert listed("?suspended_days=90") == []


def test_group_list_shows_member_counts(staff_client, rows):
    cl = staff_client.get("/admin/accounts/group/?q=acme").context["cl"]
    assert [(g.display_name, g._members) for g in cl.result_list] == [("acme door", 1)]


def test_organization_list_shows_people_counts(staff_client, rows):
    cl = staff_client.get("/admin/accounts/organization/").context["cl"]
    assert sorted((o.slug, o._people) for o in cl.result_list) == [("acme", 2), ("globex", 2)]


def test_audit_events_are_read_only(staff_client, rows, org):
    event = AuditEvent.objects.filter(org=org).first()
    before = list(AuditEvent.objects.values_list("id", "action", "target_label"))
    listing = staff_client.get("/admin/accounts/auditevent/?q=person.created")
    assert listing.status_code == 200
    assert "person.created" in listing.content.decode()
    change = staff_client.get(_url(AuditEvent, "change", event.pk))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert (
        staff_client.post(_url(AuditEvent, "change", event.pk), {"action": "x"}).status_code == 403
    )
    assert (
        staff_client.post(_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    )
    assert staff_client.get(_url(AuditEvent, "add")).status_code == 403
    bulk = staff_client.post(
        "/admin/accounts/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk]},
    )
    assert bulk.status_code in (200, 302)
    assert list(AuditEvent.objects.values_list("id", "action", "target_label")) == before


def test_a_persons_org_suspension_and_send_emails_cannot_be_edited(staff_client, rows, other_org):
    person = rows["acme"]["active"]
    url = _url(Person, "change", person.pk)
    data = _form_data(staff_client.get(url))
    assert "org" not in data
    assert "is_active" not in data
    assert "send_emails" not in data
    data.update(
        {"given_name": "Augusta", "org": str(other_org.pk), "is_active": "", "send_emails": ""}
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert (person.given_name, person.org.slug, person.is_active, person.send_emails) == (
        "Augusta",
        "acme",
        True,
        True,
    )


def test_the_admin_refuses_a_case_insensitive_duplicate_user_name(staff_client, rows):
    person = rows["acme"]["gone"]
    url = _url(Person, "change", person.pk)
    data = _form_data(staff_client.get(url))
    data["user_name"] = "ADA@acme.example.com"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    # The service's rule and message, as the console and SCIM have them.
    assert (
        "A person with userName &#x27;ADA@acme.example.com&#x27; already exists in this "
        "organization." in response.content.decode()
    )
    person.refresh_from_db()
    assert person.user_name == "gone@acme.example.com"
    # Changing only the case of one's own userName is fine.
    data["user_name"] = "GONE@acme.example.com"
    assert staff_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.user_name == "GONE@acme.example.com"


def test_the_admin_refuses_a_case_insensitive_duplicate_group_name(staff_client, rows):
    group = rows["acme"]["group"]
    group_create(org=group.org, display_name="Lobby", actor=Actor.system())
    url = _url(Group, "change", group.pk)
    data = _form_data(staff_client.get(url))
    data["display_name"] = "LOBBY"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "A group named &#x27;LOBBY&#x27; already exists in this organization." in (
        response.content.decode()
    )
    data["display_name"] = "globex door"  # another org's group name is free here
    assert staff_client.post(url, data).status_code == 302
    group.refresh_from_db()
    assert group.display_name == "globex door"


def test_a_group_cannot_get_another_orgs_member(staff_client, rows):
    group = rows["acme"]["group"]
    outsider = rows["globex"]["active"]
    url = _url(Group, "change", group.pk)
    data = _form_data(staff_client.get(url))
    assert "org" not in data
    _add_inline_row(data, "memberships", person=str(outsider.pk))
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert (
        f"No person with id {outsider.scim_id} exists in this organization."
        in response.content.decode()
    )
    assert list(group.members.all()) == [rows["acme"]["active"]]

    # The org's own person is accepted.
    own = rows["acme"]["gone"]
    data = _form_data(staff_client.get(url))
    _add_inline_row(data, "memberships", person=str(own.pk))
    assert staff_client.post(url, data).status_code == 302
    assert sorted(group.members.values_list("user_name", flat=True)) == [
        "ada@acme.example.com",
        "gone@acme.example.com",
    ]


def test_an_org_cannot_get_two_owners_in_one_submission(staff_client, org, owner):
    newcomer = AccountFactory()
    url = _url(Organization, "change", org.pk)
    data = _form_data(staff_client.get(url))
    _add_inline_row(data, "memberships", account=str(newcomer.pk), role="owner")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html
    assert list(Membership.objects.filter(org=org).values_list("account", "role")) == [
        (owner.pk, "owner")
    ]


def test_staff_add_an_account_with_a_lowercased_email(staff_client):
    data = _form_data(staff_client.get(_url(Account, "add")))
    data.update(
        {
            "email": "New.Staff@Kisi.Example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        }
    )
    response = staff_client.post(_url(Account, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    account = Account.objects.get(email="new.staff@kisi.example.com")
    assert account.check_password(PASSWORD)
    assert Account.objects.get_by_natural_key("NEW.STAFF@kisi.example.com") == account


def test_account_pages_never_show_the_password_hash(staff_client, owner):
    html = staff_client.get(_url(Account, "change", owner.pk)).content.decode()
    assert owner.password not in html
    assert owner.password.split("$")[-1] not in html


def test_scim_token_digests_are_never_shown(staff_client, org, owner):
    from provisioning.models import ScimToken
    from provisioning.services.scim_config import scim_enable
    from provisioning.services.tokens import scim_token_generate

    scim_enable(org=org, actor=Actor.of(owner))
    token, raw = scim_token_generate(org=org, actor=Actor.of(owner))
    pages = [
        staff_client.get(_url(ScimToken, "changelist")),
        staff_client.get(_url(ScimToken, "change", token.pk)),
        staff_client.get("/admin/accounts/auditevent/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert token.digest not in html
        assert raw not in html
    assert re.search(r"kscim_…" + token.last4, pages[0].content.decode())
