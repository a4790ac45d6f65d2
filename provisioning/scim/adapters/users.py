"""The SCIM User adapter: one of the org's people."""

from dataclasses import dataclass, field, replace
from typing import Any

from django.http import HttpRequest
from django_scim.adapters import SCIMUser

from access.selectors import person_scim_card
from accounts.actor import Actor
from accounts.models import Person
from accounts.selectors.people import person_deleted_by_idp
from accounts.services.people import EmailData, person_update
from provisioning.scim.adapters.common import (
    ScimAdapter,
    domain_errors,
)
from provisioning.scim.constants import ENTERPRISE_SCHEMA, KISISCIM_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.errors import InvalidPath, InvalidValue, Mutability
from provisioning.scim.patch import (
    PatchPath,
    as_bool,
    as_object,
    as_string,
    as_text,
    get_ci,
    has_ci,
    value_filter_matches,
)
from provisioning.services.lifecycle import (
    scim_person_card_set,
    scim_person_create,
    scim_person_idp_delete,
    scim_person_reactivate,
    scim_person_suspend,
)

# Core User attributes the product does not store: accepted and ignored, never an error
# (Okta's default mappings send several of them).
IGNORED_USER_ATTRS = frozenset(
    {
        "nickname", "profileurl", "title", "usertype", "preferredlanguage", "timezone",
        "phonenumbers", "addresses", "ims", "photos", "entitlements", "roles",
        "x509certificates", "password", "groups", "schemas", "id", "meta",
    }
)  # fmt: skip
MAX_EMAILS = 20


def _emails_parse(value: Any) -> list[EmailData]:
    if value is None or value == "":  # Okta's "push empty values": null or ""
        return []
    if isinstance(value, dict):  # a single email object instead of a list (OneLogin)
        value = [value]
    if not isinstance(value, list):
        raise InvalidValue("'emails' must be a list of email objects.")
    if len(value) > MAX_EMAILS:
        raise InvalidValue(f"At most {MAX_EMAILS} emails are accepted.")
    emails = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidValue("Each email must be an object with a 'value'.")
        emails.append(
            EmailData(
                value=as_text(get_ci(item, "value"), "emails.value").strip(),
                type=as_text(get_ci(item, "type"), "emails.type"),
                primary=as_bool(get_ci(item, "primary", False), "emails.primary"),
            )
        )
    return emails


def _email_dict(email: EmailData) -> dict[str, Any]:
    """An email as SCIM shows it; no `type` when none was given (not an empty string)."""
    doc: dict[str, Any] = {"value": email.value, "primary": email.primary}
    if email.type:
        doc["type"] = email.type
    return doc


@dataclass
class PersonState:
    """What the IdP manages of a person, as one value: PUT and PATCH edit a copy of it, and
    the difference is applied through the services in one go."""

    user_name: str = ""
    external_id: str = ""
    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    locale: str = ""
    emails: list[EmailData] = field(default_factory=list)
    active: bool = True
    # The IdP-managed card's number (our extension's cardNumber); "" for none.
    card_number: str = ""

    TEXT_FIELDS = (
        "user_name",
        "external_id",
        "given_name",
        "family_name",
        "display_name",
        "locale",
    )

    @classmethod
    def of(cls, person: Person) -> "PersonState":
        return cls(
            **{f: getattr(person, f) for f in cls.TEXT_FIELDS},
            emails=[EmailData(e.value, e.type, e.primary) for e in person.emails.all()],
            active=person.is_active,
            card_number=_card_of(person),
        )


def _full_name(state: PersonState) -> str:
    """The name the console shows (as `Person.full_name`)."""
    return " ".join(p for p in (state.given_name, state.family_name) if p) or state.display_name


def _card_of(person: Person) -> str:
    """The IdP-managed card: annotated by the SCIM selector, else read (a person the IdP
    deleted and now brings back is loaded without it)."""
    if not person.pk:
        return ""
    if hasattr(person, "scim_card_number"):
        return person.scim_card_number or ""
    card = person_scim_card(person=person)
    return card.number if card else ""


def _card_parse(value: Any, where: str) -> str:
    """cardNumber: a string (numbers too: Okta sends a number attribute as one); null or ""
    revokes the IdP's card."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidValue(f"'{where}' must be a string.")
    text = str(value).strip()
    if len(text) > 64 or not text.isprintable():
        raise InvalidValue(f"'{where}' is at most 64 printable characters.")
    return text


# Simple (single-valued) user attributes: SCIM name (lower-case) → PersonState field.
_USER_TEXT = {
    "username": "user_name",
    "externalid": "external_id",
    "displayname": "display_name",
    "locale": "locale",
}
_NAME_TEXT = {"givenname": "given_name", "familyname": "family_name"}


class SCIMPerson(ScimAdapter, SCIMUser):
    """The SCIM User adapter for `accounts.Person`."""

    id_field = "scim_id"
    resource_type = "User"

    uris = (USER_SCHEMA, ENTERPRISE_SCHEMA, KISISCIM_USER_SCHEMA)
    ignored_uris = (ENTERPRISE_SCHEMA,)

    def __init__(self, obj: Person, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)
        self._state: PersonState | None = None
        self._send_emails = True
        self._current: tuple[Person, PersonState] | None = None

    def current(self) -> PersonState:
        """The person's state as stored, read once per request (each read is the person's
        emails and card), for the object this adapter holds now."""
        if self._current is None or self._current[0] is not self.obj:
            self._current = (self.obj, PersonState.of(self.obj))
        return self._current[1]

    # Reading -----------------------------------------------------------------------------

    # Writing -----------------------------------------------------------------------------

    def from_dict(self, d: dict[str, Any]) -> None:
        """Read a full User resource (POST or PUT) into the intended state."""
        self.validate_dict(d)
        current = self.current() if self.obj.pk else PersonState()
        state = PersonState(active=current.active)
        if get_ci(d, "userName") is None:
            raise InvalidValue("'userName' is required.")
        user_name = as_string(get_ci(d, "userName"), "userName").strip()
        if not user_name:
            raise InvalidValue("'userName' is required.")
        state.user_name = user_name
        state.external_id = as_text(get_ci(d, "externalId"), "externalId")
        name = as_object(get_ci(d, "name"), "name")
        state.given_name = as_text(get_ci(name, "givenName"), "name.givenName")
        state.family_name = as_text(get_ci(name, "familyName"), "name.familyName")
        if not (state.given_name or state.family_name):
            # Only a formatted name: split it (derived names are otherwise ignored, since
            # Okta echoes a stale `formatted` back in PUT).
            formatted = as_text(get_ci(name, "formatted"), "name.formatted").strip()
            state.given_name, _, state.family_name = formatted.partition(" ")
        state.display_name = as_text(get_ci(d, "displayName"), "displayName")
        state.locale = as_text(get_ci(d, "locale"), "locale")
        state.emails = _emails_parse(get_ci(d, "emails"))
        # Our extension: absent keeps the card (an IdP that maps no card sends none);
        # present, it is replaced, and null or "" revokes it.
        state.card_number = current.card_number
        if has_ci(d, KISISCIM_USER_SCHEMA):
            extension = as_object(get_ci(d, KISISCIM_USER_SCHEMA), KISISCIM_USER_SCHEMA)
            if has_ci(extension, "cardNumber"):
                state.card_number = _card_parse(get_ci(extension, "cardNumber"), "cardNumber")
        if has_ci(d, "active"):
            state.active = as_bool(get_ci(d, "active"), "active")
        if has_ci(d, "sendEmails"):
            send = as_bool(get_ci(d, "sendEmails"), "sendEmails")
            if self.obj.pk is None:
                self._send_emails = send
            elif send != self.obj.send_emails:
                self.notes.append(
                    f"sendEmails={str(send).lower()} ignored: it can only be set when the "
                    f"person is created (stays {str(self.obj.send_emails).lower()})"
                )
        self._state = state

    def save(self) -> None:
        """Create the person, or apply the intended state through the services."""
        state = self._state
        assert state is not None, "from_dict or handle_operations first"
        with domain_errors():
            if self.obj.pk is None:
                deleted = person_deleted_by_idp(
                    org=self.request.scim_org, user_name=state.user_name
                )
                if deleted is not None:
                    # The IdP deleted this person and now creates them again: the same
                    # person comes back (id, groups, history), as if it had never gone.
                    self.obj = deleted
                    self.notes.append("restored a person the IdP had deleted")
                    self._apply_state(state)
                    if not state.active:
                        scim_person_suspend(person=self.obj)
                    self.change_action, self.change = "created", {"restored": True}
                    return
                self.obj = scim_person_create(
                    org=self.request.scim_org,
                    **{f: getattr(state, f) for f in PersonState.TEXT_FIELDS},
                    emails=state.emails,
                    active=state.active,
                    send_emails=self._send_emails,
                )
                if state.card_number:
                    scim_person_card_set(person=self.obj, number=state.card_number)
                self.change_action = "created"
                return
            self._apply_state(state)

    def _apply_state(self, state: PersonState) -> None:
        current = self.current()
        changes = {
            f: getattr(state, f)
            for f in PersonState.TEXT_FIELDS
            if getattr(state, f) != getattr(current, f)
        }
        emails = state.emails if state.emails != current.emails else None
        self._note_change(current, state, changes, emails_changed=emails is not None)
        if changes or emails is not None:
            person_update(person=self.obj, changes=changes, emails=emails, actor=Actor.scim())
        if state.card_number != current.card_number:
            scim_person_card_set(person=self.obj, number=state.card_number)
        if state.active != current.active or (state.active and self.obj.idp_deleted_at):
            if state.active:
                if not scim_person_reactivate(person=self.obj) and not self.obj.is_active:
                    self.notes.append("active=true ignored: suspended in the console (a lock)")
                    self._note_reactivation_ignored()
            else:
                scim_person_suspend(person=self.obj)

    def _note_reactivation_ignored(self) -> None:
        """The log must not say "reactivated" for an `active: true` the console's lock refused:
        what is left is the write's other changes, if any."""
        if "from" in self.change:
            self.change_action = "renamed"
        else:
            self.change_action = "updated" if self.change["fields"] else "unchanged"
        self.change["reactivation_ignored"] = True

    def _note_change(
        self,
        current: PersonState,
        state: PersonState,
        changes: dict[str, Any],
        *,
        emails_changed: bool,
    ) -> None:
        """What this write does, in the log's terms: a suspension or reactivation first, then
        a rename (old → new full name), then any other change (the fields' names)."""
        fields = [*changes, *(["emails"] if emails_changed else [])]
        if state.card_number != current.card_number:
            fields.append("card_number")
        old_name, new_name = _full_name(current), _full_name(state)
        if state.active != current.active or (state.active and self.obj.idp_deleted_at):
            self.change_action = "reactivated" if state.active else "suspended"
        elif old_name != new_name:
            self.change_action = "renamed"
        elif fields:
            self.change_action = "updated"
        else:
            self.change_action = "unchanged"
        self.change = {"fields": fields}
        if old_name != new_name:
            self.change.update({"from": old_name, "to": new_name})

    def delete(self) -> None:
        """DELETE suspends and hides the person from SCIM (Entra sends it; Okta never does):
        only the console's cleanup deletes for good."""
        scim_person_idp_delete(person=self.obj)

    def begin_patch(self) -> None:
        """PATCH edits a copy of the state, in order; `save()` applies the difference."""
        state = replace(self.current())
        state.emails = list(state.emails)  # EmailData are frozen: the list is the copy
        self._state = state

    def _patch(self, op: str, path: PatchPath, value: Any) -> None:
        if op == "remove" and path.uri == KISISCIM_USER_SCHEMA and not path.attr:
            # Removing our whole extension object removes its one attribute.
            assert self._state is not None
            self._state.card_number = ""
            return
        super()._patch(op, path, value)

    def patch_attribute(self, op: str, path: PatchPath, value: Any) -> None:
        state = self._state
        assert state is not None
        attr = path.attr
        remove = op == "remove"
        if attr in _USER_TEXT and path.value_filter is None and path.sub is None:
            if remove and attr == "username":
                raise Mutability("'userName' is required and cannot be removed.")
            if remove:
                text = ""
            elif attr == "username":
                text = as_string(value, path.raw)
            else:
                text = as_text(value, path.raw)
            if attr == "username" and not text.strip():
                raise InvalidValue("'userName' cannot be empty.")
            setattr(state, _USER_TEXT[attr], text.strip() if attr == "username" else text)
        elif attr == "name" and path.value_filter is None:
            self._apply_name(state, op, path, value)
        elif attr == "active" and path.value_filter is None and path.sub is None:
            if remove:
                raise Mutability("'active' cannot be removed; replace it with true or false.")
            state.active = as_bool(value, "active")
        elif attr == "emails":
            self._apply_emails(state, op, path, value)
        elif attr == "cardnumber" and path.uri in (None, KISISCIM_USER_SCHEMA) and not path.sub:
            # Under our extension's URN ("urn:…:kisiscim:2.0:User:cardNumber", or the URN
            # with an object); the name is ours alone, so it is read without the URN too.
            state.card_number = "" if remove else _card_parse(value, "cardNumber")
        elif attr == "sendemails":
            self.notes.append(
                "sendEmails change ignored: it can only be set when the person is created"
            )
        elif attr in IGNORED_USER_ATTRS:
            self.notes.append(f"{path.raw} ignored (not stored)")
        else:
            raise InvalidPath(f"Unknown attribute in PATCH path {path.raw!r}.")

    def _apply_name(self, state: PersonState, op: str, path: PatchPath, value: Any) -> None:
        if path.sub is None:
            parts = {} if op == "remove" else as_object(value, "name")
            if op != "add":
                # replace/remove of the whole complex attribute resets what is not given.
                state.given_name = state.family_name = ""
            for key, item in parts.items():
                sub = str(key).lower()
                if sub in _NAME_TEXT:
                    setattr(state, _NAME_TEXT[sub], as_text(item, f"name.{key}"))
            return
        if path.sub in _NAME_TEXT:
            text = "" if op == "remove" else as_text(value, path.raw)
            setattr(state, _NAME_TEXT[path.sub], text)
        elif path.sub in ("formatted", "middlename", "honorificprefix", "honorificsuffix"):
            self.notes.append(f"{path.raw} ignored (derived or not stored)")
        else:
            raise InvalidPath(f"Unknown attribute in PATCH path {path.raw!r}.")

    def _apply_emails(self, state: PersonState, op: str, path: PatchPath, value: Any) -> None:
        if path.value_filter is None:
            if path.sub is not None:
                raise InvalidPath(
                    f'{path.raw!r}: select an email with a filter, e.g. emails[type eq "work"].'
                )
            if op == "remove":
                state.emails = []
            elif op == "replace":
                state.emails = _emails_parse(value)
            else:
                state.emails = state.emails + _emails_parse(value)
                if len(state.emails) > MAX_EMAILS:
                    raise InvalidValue(f"At most {MAX_EMAILS} emails are accepted.")
            return
        matches = [
            i
            for i, e in enumerate(state.emails)
            if value_filter_matches(path.value_filter, _email_dict(e))
        ]
        if op == "remove":
            if path.sub is None:
                state.emails = [e for i, e in enumerate(state.emails) if i not in matches]
            return
        if path.sub is None:
            # emails[type eq "work"] with an email object: update the matching entries.
            update = as_object(value, path.raw)
            new = _emails_parse([update])[0] if has_ci(update, "value") else None
            for i in matches:
                if new is not None:
                    state.emails[i] = new
            return
        if path.sub not in ("value", "type", "primary"):
            raise InvalidPath(f"Unknown attribute in PATCH path {path.raw!r}.")
        if not matches:
            # Entra: replace emails[type eq "work"].value on a person with no work email
            # adds one (RFC 7644 §3.5.2.3: replace of a missing target is an add).
            seed = _seed_from_filter(path)
            state.emails = [*state.emails, EmailData(**seed)]
            if len(state.emails) > MAX_EMAILS:
                raise InvalidValue(f"At most {MAX_EMAILS} emails are accepted.")
            matches = [len(state.emails) - 1]
        for i in matches:
            email = state.emails[i]
            if path.sub == "value":
                email = replace(email, value=as_text(value, path.raw).strip())
            elif path.sub == "type":
                email = replace(email, type=as_text(value, path.raw))
            else:
                email = replace(email, primary=as_bool(value, path.raw))
            state.emails[i] = email


def _seed_from_filter(path: PatchPath) -> dict[str, Any]:
    """The email that `emails[type eq "work"]` describes, for an add-by-replace."""
    seed: dict[str, Any] = {"value": "", "type": "", "primary": False}
    node = path.value_filter
    while node is not None and hasattr(node, "expr") and not hasattr(node, "attr_path"):
        node = node.expr
    if node is not None and getattr(node, "value", "").lower() == "eq":
        key = node.attr_path.attr_name.lower()
        if key in ("type", "value"):
            seed[key] = str(node.comp_value.value)
    return seed
