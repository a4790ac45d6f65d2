"""Every moment on a page names its zone and says "just now", not "0 minutes ago"."""

from datetime import UTC, date, datetime, timedelta, timezone

from django.template import Context, Template

from accounts.templatetags.when import ago_text, moment_text

NOW = datetime(2026, 12, 2, 14, 41, 7, tzinfo=UTC)


def test_moments_are_written_in_utc_with_the_zone_named():
    berlin = NOW.astimezone(timezone(timedelta(hours=1)))
    assert moment_text(berlin) == "2026-12-02 14:41 UTC"
    assert moment_text(NOW, "second") == "2026-12-02 14:41:07 UTC"
    assert moment_text(NOW, "date") == "2026-12-02"
    assert moment_text(date(2026, 1, 5)) == "2026-01-05"


def test_ago_says_just_now_and_uses_plurals():
    assert ago_text(NOW - timedelta(seconds=59), NOW) == "just now"
    assert ago_text(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert ago_text(NOW - timedelta(minutes=5, seconds=3), NOW) == "5 minutes ago"
    assert ago_text(NOW - timedelta(hours=1), NOW) == "1 hour ago"
    assert ago_text(NOW - timedelta(days=2, hours=3), NOW) == "2 days ago"
    assert ago_text(NOW + timedelta(minutes=10), NOW) == "in 10 minutes"


def test_the_filters_write_time_elements():
    html = Template("{% load when %}{{ t|when }}|{{ t|when:'date' }}|{{ none|when }}").render(
        Context({"t": NOW, "none": None})
    )
    assert html == (
        '<time datetime="2026-12-02T14:41:07+00:00">2026-12-02 14:41 UTC</time>|'
        '<time datetime="2026-12-02T14:41:07+00:00">2026-12-02</time>|'
    )
    html = Template("{% load when %}{{ t|ago }}").render(Context({"t": NOW}))
    assert html.startswith(
        '<time datetime="2026-12-02T14:41:07+00:00" title="2026-12-02 14:41 UTC">'
    )
    assert "ago</time>" in html


def test_a_missing_value_writes_nothing_and_the_machine_moment_is_utc():
    html = Template("{% load when %}[{{ missing|when }}][{{ missing|ago }}][{{ t|when }}]").render(
        Context({"t": NOW.astimezone(timezone(timedelta(hours=1)))})
    )
    assert html == '[][][<time datetime="2026-12-02T14:41:07+00:00">2026-12-02 14:41 UTC</time>]'
