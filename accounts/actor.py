"""Who acts. Every service that changes something takes one `Actor`, as a required keyword
with no default, so no change is ever recorded under the wrong party."""

from dataclasses import dataclass

from accounts.models import Account, AuditEvent, Person


@dataclass(frozen=True)
class Actor:
    """A console account (an owner, an admin, staff in the Django admin), one of the org's
    people acting for themselves (signed in with SSO), the org's identity provider over SCIM,
    an integration through one of the org's REST API keys (named), or the system itself (a
    command, a scheduled job)."""

    kind: str
    account: Account | None = None
    person: Person | None = None
    api_key_name: str = ""

    @classmethod
    def of(cls, account: Account) -> "Actor":
        return cls(kind=AuditEvent.ActorKind.ACCOUNT, account=account)

    @classmethod
    def of_person(cls, person: Person) -> "Actor":
        return cls(kind=AuditEvent.ActorKind.PERSON, person=person)

    @classmethod
    def of_api_key(cls, name: str) -> "Actor":
        return cls(kind=AuditEvent.ActorKind.API, api_key_name=name)

    @classmethod
    def scim(cls) -> "Actor":
        return cls(kind=AuditEvent.ActorKind.SCIM)

    @classmethod
    def system(cls) -> "Actor":
        return cls(kind=AuditEvent.ActorKind.SYSTEM)

    @property
    def is_scim(self) -> bool:
        return self.kind == AuditEvent.ActorKind.SCIM

    @property
    def email(self) -> str:
        """The account's email; empty for anyone else."""
        return self.account.email if self.account is not None else ""

    @property
    def label(self) -> str:
        """How the audit trail names the actor: the account's email, the person's userName or
        the API key's name (kept as text, so the trail outlives them); empty for SCIM and the
        system."""
        if self.person is not None:
            return self.person.user_name
        if self.api_key_name:
            return f"API key {self.api_key_name}"
        return self.email

    @property
    def description(self) -> str:
        """How a notice names the actor: "by <this>"."""
        if self.account is not None or self.person is not None or self.api_key_name:
            return self.label
        return "your identity provider" if self.is_scim else "an operator"
