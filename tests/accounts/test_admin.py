"""The staff admin: every model's pages load, lists search and filter, audit events are
read-only, writes that would break a domain rule are refused, and no secret is ever shown."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.actor import Actor
from accounts.models import (
    Account,
    AuditEvent,
    ConsoleSuspension,
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
from tests.admin_forms import add_inline_row, form_data
from tests.factories import AccountFactory
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)


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
        ConsoleSuspension,
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
    data = form_data(staff_client.get(url))
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
    data = form_data(staff_client.get(url))
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
    data = form_data(staff_client.get(url))
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
    data = form_data(staff_client.get(url))
    assert "org" not in data
    add_inline_row(data, "memberships", person=str(outsider.pk))
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert (
        f"No person with id {outsider.scim_id} exists in this organization."
        in response.content.decode()
    )
    assert list(group.members.all()) == [rows["acme"]["active"]]

    # The org's own person is accepted.
    own = rows["acme"]["gone"]
    data = form_data(staff_client.get(url))
    add_inline_row(data, "memberships", person=str(own.pk))
    assert staff_client.post(url, data).status_code == 302
    assert sorted(group.members.values_list("user_name", flat=True)) == [
        "ada@acme.example.com",
        "gone@acme.example.com",
    ]


def test_an_org_cannot_get_two_owners_in_one_submission(staff_client, org, owner):
    newcomer = AccountFactory()
    url = _url(Organization, "change", org.pk)
    data = form_data(staff_client.get(url))
    add_inline_row(data, "memberships", account=str(newcomer.pk), role="owner")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html
    assert list(Membership.objects.filter(org=org).values_list("account", "role")) == [
        (owner.pk, "owner")
    ]


def test_staff_add_an_account_with_a_lowercased_email(staff_client):
    data = form_data(staff_client.get(_url(Account, "add")))
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


def _events(org, action: str) -> list[tuple[str, str, dict]]:
    return [
        (e.actor_kind, e.actor_label, e.details)
        for e in AuditEvent.objects.filter(org=org, action=action).order_by("id")
    ]


def test_staff_edits_of_a_person_are_audited_under_the_staff_account(staff_client, staff, rows):
    person = rows["acme"]["active"]
    url = _url(Person, "change", person.pk)
    data = form_data(staff_client.get(url))
    data["family_name"] = "Lovelace"
    data["emails-0-value"] = "augusta@acme.example.com"
    assert staff_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.family_name == "Lovelace"
    assert list(person.emails.values_list("value", flat=True)) == ["augusta@acme.example.com"]
    events = _events(person.org, "person.updated")[-2:]
    assert [(kind, label, d["changed"]) for kind, label, d in events] == [
        ("account", staff.email, ["family_name"]),
        ("account", staff.email, ["emails"]),
    ]
    # The history keeps old and new values.
    assert events[0][2]["from"] == {"family_name": ""}
    assert events[0][2]["to"] == {"family_name": "Lovelace"}
    assert events[1][2]["to"] == {"emails": ["augusta@acme.example.com"]}


def test_staff_add_a_person_through_the_service(staff_client, staff, org):
    data = form_data(staff_client.get(_url(Person, "add")))
    data.update({"org": str(org.pk), "user_name": "new@acme.example.com", "given_name": "New"})
    response = staff_client.post(_url(Person, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(org=org, user_name="new@acme.example.com")
    assert person.provisioned_by == Person.Source.MANUAL
    assert response["Location"] == _url(Person, "changelist")
    assert _events(org, "person.created") == [
        ("account", staff.email, {"send_emails": True, "active": True})
    ]


def test_staff_edits_of_a_group_and_its_members_are_audited(staff_client, staff, rows):
    group = rows["acme"]["group"]
    own = rows["acme"]["gone"]
    url = _url(Group, "change", group.pk)
    data = form_data(staff_client.get(url))
    data["display_name"] = "Front door"
    add_inline_row(data, "memberships", person=str(own.pk))
    assert staff_client.post(url, data).status_code == 302
    group.refresh_from_db()
    assert group.display_name == "Front door"
    assert _events(group.org, "group.updated")[-1] == (
        "account",
        staff.email,
        {"changed": ["display_name"]},
    )
    (kind, label, details) = _events(group.org, "group.members_replaced")[-1]
    assert (kind, label, details["count"]) == ("account", staff.email, 2)
    assert sorted(details["ids"]) == sorted([rows["acme"]["active"].scim_id, own.scim_id])


def test_a_refused_staff_edit_saves_nothing_of_the_whole_form(staff_client, rows):
    """A rule broken in the inline (another org's member) rolls back the rename with it."""
    group = rows["acme"]["group"]
    url = _url(Group, "change", group.pk)
    data = form_data(staff_client.get(url))
    data["display_name"] = "Renamed"
    add_inline_row(data, "memberships", person=str(rows["globex"]["active"].pk))
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert 'value="Renamed"' in response.content.decode()  # the form is shown as submitted
    group.refresh_from_db()
    assert group.display_name == "acme door"
    assert not AuditEvent.objects.filter(org=group.org, action="group.updated").exists()


def test_staff_role_changes_go_through_the_membership_services(staff_client, staff, org, owner):
    newcomer = AccountFactory()
    url = _url(Organization, "change", org.pk)
    data = form_data(staff_client.get(url))
    data["memberships-0-role"] = "admin"
    add_inline_row(data, "memberships", account=str(newcomer.pk), role="owner")
    assert staff_client.post(url, data).status_code == 302
    assert dict(Membership.objects.filter(org=org).values_list("account", "role")) == {
        owner.pk: "admin",
        newcomer.pk: "owner",
    }
    transfer = AuditEvent.objects.get(org=org, action="org.owner_transferred")
    assert (transfer.actor_label, transfer.details) == (
        staff.email,
        {"previous_owner": owner.email},
    )


def test_staff_see_console_locks_read_only(staff_client, rows, owner):
    from accounts.services.people import person_console_suspend

    person = rows["acme"]["active"]
    lock = person_console_suspend(person=person, reason="Badge stolen", actor=Actor.of(owner))
    html = staff_client.get(_url(ConsoleSuspension, "changelist")).content.decode()
    assert "Badge stolen" in html and person.user_name in html
    assert staff_client.get(_url(ConsoleSuspension, "change", lock.pk)).status_code == 200
    assert staff_client.get(_url(ConsoleSuspension, "delete", lock.pk)).status_code == 403
