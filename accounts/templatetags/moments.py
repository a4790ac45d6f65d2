"""Moments kept as ISO 8601 text (a SAML test result kept in the session) read back as
date-times, so `when` can write them: `{{ result.at|moment|when:"second" }}`."""

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def moment(value: str | datetime | None) -> datetime | None:
    """The date-time an ISO 8601 string names, or None when it names none."""
    if isinstance(value, datetime):
        return value
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None
