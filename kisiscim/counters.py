"""Counting events in a time window, in the shared cache (Redis in production), so that every
web process adds to the same count: the SCIM rate limit and the mass-deactivation alert.

A window of `buckets` equal slices: one bucket is a fixed window (a budget that resets at the
window's end), several make it slide (the count covers the last window_seconds, give or take
one slice). One increment per event and, when sliding, one multi-get: cheap on every request.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class WindowCount:
    count: int
    # Seconds until the current bucket ends: a rate limit's Retry-After.
    resets_in: float


def window_hit(
    name: str, *, window_seconds: int, buckets: int = 1, now: float | None = None
) -> WindowCount:
    """Count one event under `name` and return the window's count, this event included."""
    now = time.time() if now is None else now
    width = max(window_seconds // buckets, 1)
    current = int(now // width)
    timeout = width * buckets + width
    key = f"window:{name}:{current}"
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=timeout)
        count = 1
    if buckets > 1:
        older = [f"window:{name}:{current - i}" for i in range(1, buckets)]
        count += sum(int(v) for v in cache.get_many(older).values())
    return WindowCount(count=count, resets_in=(current + 1) * width - now)
