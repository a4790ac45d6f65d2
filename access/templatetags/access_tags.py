"""How the access pages write schedules, dates and decisions."""

from typing import Any

from django import template

from access.decision import REASON_TEXT
from access.schedules import schedule_describe

register = template.Library()


@register.filter
def schedule_text(schedule: Any) -> str:
    """Mon–Fri 08:00–18:00; any time."""
    return schedule_describe(schedule or [])


@register.filter
def grant_dates(grant: Any) -> str:
    if grant.valid_from and grant.valid_until:
        return f"{grant.valid_from:%Y-%m-%d} to {grant.valid_until:%Y-%m-%d}"
    if grant.valid_from:
        return f"from {grant.valid_from:%Y-%m-%d}"
    if grant.valid_until:
        return f"until {grant.valid_until:%Y-%m-%d}"
    return "always"


@register.filter
def reason_text(reason: str) -> str:
    return REASON_TEXT.get(reason, reason)
