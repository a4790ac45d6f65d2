"""How every console page writes a moment: in a `<time datetime>` element that names its zone
(the console shows UTC), and "just now" / "5 minutes ago" with real plurals.

    {% load when %}
    {{ person.created_at|when }}        → <time datetime="…">2026-12-02 14:41 UTC</time>
    {{ person.created_at|when:"date" }} → <time datetime="…">2026-12-02</time>
    {{ entry.created_at|ago }}   → <time datetime="…" title="…14:41 UTC">just now</time>
"""

from datetime import UTC, date, datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

register = template.Library()

ZONE = "UTC"


def _utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iso(moment: datetime | date) -> str:
    """The machine-readable moment: in UTC, as the text says, for a date-time."""
    return _utc(moment).isoformat() if isinstance(moment, datetime) else moment.isoformat()


def moment_text(moment: datetime | date, style: str = "minute") -> str:
    """'2026-12-02 14:41 UTC' (minute), '2026-12-02 14:41:07 UTC' (second), '2026-12-02' (date)."""
    if not isinstance(moment, datetime):
        return f"{moment:%Y-%m-%d}"
    utc = _utc(moment)
    if style == "date":
        return f"{utc:%Y-%m-%d}"
    if style == "second":
        return f"{utc:%Y-%m-%d %H:%M:%S} {ZONE}"
    return f"{utc:%Y-%m-%d %H:%M} {ZONE}"


def ago_text(moment: datetime, now: datetime | None = None) -> str:
    """'just now', '1 minute ago', '3 hours ago', '2 days ago'; 'in 5 minutes' ahead."""
    delta = (now or timezone.now()) - moment
    ahead = delta < timedelta(0)
    seconds = int(abs(delta).total_seconds())
    if seconds < 60:
        return "just now"
    for size, text in (
        (86400 * 365, lambda n: ngettext("%(n)d year", "%(n)d years", n)),
        (86400 * 30, lambda n: ngettext("%(n)d month", "%(n)d months", n)),
        (86400, lambda n: ngettext("%(n)d day", "%(n)d days", n)),
        (3600, lambda n: ngettext("%(n)d hour", "%(n)d hours", n)),
        (60, lambda n: ngettext("%(n)d minute", "%(n)d minutes", n)),
    ):
        if seconds >= size:
            n = seconds // size
            phrase = text(n) % {"n": n}
            return f"in {phrase}" if ahead else f"{phrase} ago"
    raise AssertionError("unreachable")  # pragma: no cover


@register.filter
def when(moment: datetime | date | None, style: str = "minute") -> str:
    if not isinstance(moment, date):  # None, or a template's missing value ("")
        return ""
    return format_html('<time datetime="{}">{}</time>', _iso(moment), moment_text(moment, style))


@register.filter
def ago(moment: datetime | None) -> str:
    if not isinstance(moment, datetime):
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        _iso(moment),
        moment_text(moment),
        ago_text(moment),
    )
