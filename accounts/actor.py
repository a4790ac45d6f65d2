"""Who acts. Every service that changes something takes one `Actor`, as a required keyword
with no default, so no change is ever recorded under the wrong party."""

from dataclasses import dataclass

from accounts.models import Account, AuditEvent


@dataclass(frozen=True)
class Actor:
    """A console account (an owner, an admin, staff in the Django admin), the org's identity
    provider over SCIM, or the system itself (a command, a scheduled job)."""

    kind: str
    account: Account | None = None

    @classmethod
    def of(cls, account: Account) -> "Actor":
        return cls(kind=AuditEvent.ActorKind.ACCOUNT, account=account)

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
        """The account's email; empty for SCIM and the system."""
        return self.account.email if self.account is not None else ""

    @property
    def description(self) -> str:
        """How a notice names the actor: "by <this>"."""
        if self.account is not None:
            return self.account.email
        return "your identity provider" if self.is_scim else "an operator"
