"""Weekly windows and validity dates of a grant, read on the place's wall clock.

A window is `{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"}`: Monday is 0,
Sunday 6; start inclusive, end exclusive; "24:00" ends at midnight. An end earlier than the
start crosses midnight: the window opens on each listed day at the start and closes the next
day at the end. Times are the place's local times through `zoneinfo`, so the day DST
changes needs nothing special: 08:00 is 08:00 on the wall whatever the UTC offset (the
spring-forward gap never occurs as a local time; the repeated fall-back hour is covered
both times it occurs).
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_WINDOWS = 50
_TIME_RE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
DAY_SECONDS = 24 * 3600


def time_zone_clean(value: object) -> str:
    """An IANA zone name the platform knows (e.g. Europe/Berlin), else a ValidationError."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64 or "\x00" in value:
        raise ValidationError("Enter an IANA time zone, e.g. Europe/Berlin.", code="time_zone")
    name = value.strip()
    if name not in time_zone_names():
        raise ValidationError(
            f"{name!r} is not a known IANA time zone (e.g. Europe/Berlin).", code="time_zone"
        )
    return name


_ZONES: frozenset[str] | None = None


def time_zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        # Backward-compatible aliases (e.g. "US/Eastern") are left out of the choices but
        # accepted when the zone database has them.
        _ZONES = frozenset(available_timezones())
    return _ZONES


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # A stored zone the platform no longer knows: UTC rather than a failed decision.
        return ZoneInfo("UTC")


def _seconds(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


@dataclass(frozen=True)
class Window:
    days: frozenset[int]
    start: int  # seconds after local midnight
    end: int  # seconds after local midnight; 86,400 is "24:00"

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def covers(self, weekday: int, second: float) -> bool:
        if not self.crosses_midnight:
            return weekday in self.days and self.start <= second < self.end
        if weekday in self.days and second >= self.start:
            return True
        return (weekday - 1) % 7 in self.days and second < self.end

    def describe(self) -> str:
        return f"{days_describe(self.days)} {_hhmm(self.start)}–{_hhmm(self.end)}"


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def days_describe(days: Iterable[int]) -> str:
    """Mon–Fri, Sat, Sun / Mon, Wed, Fri / every day."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "every day"
    runs: list[list[int]] = []
    for day in chosen:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return ", ".join(parts)


def _window_clean(raw: Any, index: int) -> dict[str, Any]:
    where = f"Window {index + 1}"
    if not isinstance(raw, dict):
        raise ValidationError(f"{where} must be an object with days, start and end.")
    unknown = set(raw) - {"days", "start", "end"}
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}.")
    days = raw.get("days")
    if (
        not isinstance(days, list)
        or not days
        or len(days) > 7
        or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days)
    ):
        raise ValidationError(f"{where}: days must be a list of weekdays 0 (Mon) to 6 (Sun).")
    times = {}
    for key in ("start", "end"):
        value = raw.get(key)
        match = _TIME_RE.match(value) if isinstance(value, str) else None
        if match is None or (match.group(1) == "24" and match.group(2) != "00"):
            raise ValidationError(f"{where}: {key} must be a time HH:MM (00:00 to 24:00).")
        times[key] = value
    if times["start"] == "24:00":
        raise ValidationError(f"{where}: start must be before 24:00.")
    if _seconds(times["start"]) == _seconds(times["end"]) % DAY_SECONDS and times["end"] != "24:00":
        raise ValidationError(f"{where}: start and end are the same time (an empty window).")
    return {"days": sorted(set(days)), "start": times["start"], "end": times["end"]}


def schedule_clean(raw: Any) -> list[dict[str, Any]]:
    """A validated, normalised schedule (days sorted and unique); None or [] is "any time"."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError("The schedule must be a list of windows.")
    if len(raw) > MAX_WINDOWS:
        raise ValidationError(f"A schedule has at most {MAX_WINDOWS} windows.")
    return [_window_clean(w, i) for i, w in enumerate(raw)]


def windows_of(schedule: Sequence[dict[str, Any]]) -> list[Window]:
    """Stored windows (already validated) as Window values."""
    return [
        Window(
            days=frozenset(w["days"]),
            start=_seconds(w["start"]),
            end=_seconds(w["end"]),
        )
        for w in schedule
    ]


def schedule_covers(schedule: Sequence[dict[str, Any]], local: dt.datetime) -> bool:
    """Whether the schedule covers the local wall-clock moment (an empty one always does)."""
    if not schedule:
        return True
    second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    weekday = local.weekday()
    return any(w.covers(weekday, second) for w in windows_of(schedule))


def schedule_describe(schedule: Sequence[dict[str, Any]]) -> str:
    if not schedule:
        return "any time"
    return "; ".join(w.describe() for w in windows_of(schedule))
