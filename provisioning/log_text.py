"""The provisioning log in plain words: what happened to whom, from a stored log row.

"Okta created Rosa Parks", "Okta renamed group Engineering → R&D", "Okta added 3 people to
Engineering", "Rejected: unknown filter attribute 'foo'". A sentence is three parts, so a page
can link its target (the person or group) to its console page: `before`, `target`, `after`.
Pure: reads only the row's columns.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import ngettext

from provisioning.models import ProvisioningLogEntry

Action = ProvisioningLogEntry.Action
MAX_FILTER_SHOWN = 80

_FIELD_WORDS = {
    "user_name": "username",
    "external_id": "external ID",
    "given_name": "first name",
    "family_name": "last name",
    "display_name": "display name",
    "locale": "locale",
    "emails": "email",
    "card_number": "card",
}


@dataclass(frozen=True)
class Sentence:
    before: str
    target: str = ""
    # "person" or "group" when the target has a console page to link to, else "".
    target_kind: str = ""
    after: str = ""
    # "ok", "error" (the request was refused or failed) or "rejected" (a refused token).
    outcome: str = "ok"

    @property
    def text(self) -> str:
        return " ".join(p for p in (self.before, self.target, self.after) if p).replace(" :", ":")


def client_name(user_agent: str) -> str:
    """Who sent the request, as an owner would say it."""
    return "Okta" if "okta" in (user_agent or "").lower() else "The identity provider"


def people(n: int) -> str:
    return ngettext("%(n)d person", "%(n)d people", n) % {"n": n}


def _members_clause(change: dict[str, Any]) -> tuple[str, str] | None:
    """(words before the group, words after it) for a membership change, or None."""
    added, removed, exact = change.get("added", 0), change.get("removed", 0), change.get("set")
    if exact is not None:
        return "set the members of", f"to {people(exact)}"
    if added and removed:
        return "changed the members of", f"({added} added, {removed} removed)"
    if added:
        return f"added {people(added)} to", ""
    if removed:
        return f"removed {people(removed)} from", ""
    return None


def _members_summary(change: dict[str, Any]) -> str:
    added, removed, exact = change.get("added", 0), change.get("removed", 0), change.get("set")
    if exact is not None:
        return f"set its members to {people(exact)}"
    parts = [f"added {people(added)}"] if added else []
    if removed:
        parts.append(f"removed {people(removed)}")
    return " and ".join(parts)


def _listed(entry: ProvisioningLogEntry, who: str) -> Sentence:
    change = entry.change or {}
    noun = "people" if entry.resource_type == "users" else "groups"
    count, total, query = change.get("count", 0), change.get("total", 0), change.get("filter")
    if query:
        if len(query) > MAX_FILTER_SHOWN:  # the whole filter is in the row's details
            query = query[: MAX_FILTER_SHOWN - 1] + "…"
        return Sentence(f"{who} looked up {noun} ({query}): {count} found")
    return Sentence(f"{who} listed {noun}: {count} of {total}")


def log_sentence(entry: ProvisioningLogEntry) -> Sentence:
    """What the row says happened, in plain words."""
    who = client_name(entry.user_agent)
    if entry.status == 401 and entry.token_id is not None:
        # One of the org's revoked or expired tokens (selectors.log._rejected, the same rule).
        text = entry.outcome or "a revoked or expired token"
        return Sentence(text if text.startswith("Rejected") else f"Rejected: {text}",
                        outcome="rejected")  # fmt: skip
    if entry.status >= 500:
        return Sentence(
            f"Failed: {entry.outcome or 'the server could not answer'}", outcome="error"
        )
    if entry.status >= 400:
        detail = entry.outcome or f"the request was refused ({entry.status})"
        return Sentence(f"Rejected: {detail}", outcome="error")
    change = entry.change or {}
    is_group = entry.resource_type == "groups"
    kind = "group" if is_group else "person"
    noun = "group " if is_group else ""
    label = entry.target_label or entry.resource_id
    action = entry.action
    if action == Action.CREATED:
        if change.get("restored"):
            return Sentence(f"{who} restored", label, kind, "(the IdP had deleted them)")
        after = f"with {people(change['members'])}" if is_group and change.get("members") else ""
        return Sentence(f"{who} created {noun}".strip(), label, kind, after)
    if action == Action.RENAMED:
        summary = _members_summary(change) if is_group else ""
        after = f"(and {summary})" if summary else ""
        return Sentence(f"{who} renamed {noun}{change.get('from', '')} →", label, kind, after)
    if action in (Action.SUSPENDED, Action.REACTIVATED):
        return Sentence(f"{who} {action}", label, kind)
    if action == Action.MEMBERS:
        clause = _members_clause(change) or ("changed the members of", "")
        return Sentence(f"{who} {clause[0]}", label, kind, clause[1])
    if action == Action.UPDATED:
        fields = [_FIELD_WORDS.get(f, f.replace("_", " ")) for f in change.get("fields", [])]
        after = f"({', '.join(fields)})" if fields else ""
        return Sentence(f"{who} updated {noun}".strip(), label, kind, after)
    if action == Action.UNCHANGED:
        return Sentence(f"{who} sent {noun}".strip(), label, kind, "again, with no change")
    if action == Action.DELETED:
        if is_group:
            return Sentence(f"{who} deleted group {label}")
        return Sentence(f"{who} deleted", label, kind, "(suspended and hidden from SCIM)")
    if action == Action.LISTED:
        return _listed(entry, who)
    if action == Action.READ:
        return Sentence(f"{who} read {noun}".strip(), label, kind)
    if entry.resource_type == "other" and entry.method == "GET":
        what = entry.path.rstrip("/").rsplit("/", 1)[-1] or "the service"
        return Sentence(f"{who} read the SCIM configuration ({what})")
    return Sentence(f"{who} sent {entry.method} {entry.path}")
