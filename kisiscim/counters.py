"""Counting events in a time window, in the shared cache (Redis in production), so that every
web process adds to the same count: the SCIM rate limits and the mass-deactivation alert.

A window of `buckets` equal slices: one bucket is a fixed window (a budget that resets at the
window's end), several make it slide (the count covers the last window_seconds, give or take
one slice). One increment per event and, when sliding, one multi-get: cheap on every request.

**A cache outage degrades, it never fails a request.** Every cache call here (and every other
cache use of the SCIM endpoint, through `shared_cache`) that raises a connection error
switches this process to a local in-memory cache for OUTAGE_RETRY_SECONDS, then tries the
shared one again: counts are per process while it is down (each process enforces the whole
limit alone), and shared again as soon as it answers. One warning is logged per outage.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

try:  # the Redis client is what raises when Redis is down; the embedded mode has no Redis
    from redis.exceptions import RedisError as _RedisError
except ImportError:  # pragma: no cover - redis is a runtime dependency
    _RedisError = OSError  # type: ignore[assignment,misc]

CACHE_ERRORS: tuple[type[BaseException], ...] = (_RedisError, OSError)
# How long a process uses its local cache after a failed call before trying the shared one.
OUTAGE_RETRY_SECONDS = 5.0

_local = LocMemCache("kisiscim-counters-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
_down_until = 0.0


def shared_cache_down() -> bool:
    """Whether this process is serving from its local fallback right now."""
    return time.time() < _down_until


def _mark_down(exc: BaseException) -> None:
    global _down_until
    if not shared_cache_down():
        logger.warning(
            "The shared cache is unavailable (%s): counting locally in this process for %ss.",
            type(exc).__name__,
            OUTAGE_RETRY_SECONDS,
        )
    _down_until = time.time() + OUTAGE_RETRY_SECONDS


class _ResilientCache:
    """The default cache, or this process's local one while the default does not answer."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if not shared_cache_down():
                try:
                    return getattr(cache, name)(*args, **kwargs)
                except CACHE_ERRORS as exc:
                    _mark_down(exc)
            return getattr(_local, name)(*args, **kwargs)

        return call


# Use this, not django.core.cache.cache, for anything the SCIM endpoint must survive without.
shared_cache: BaseCache = _ResilientCache()  # type: ignore[assignment]


@dataclass(frozen=True)
class WindowCount:
    count: int
    # Seconds until the current bucket ends: a rate limit's Retry-After.
    resets_in: float


def _hit(store: BaseCache, key: str, older: list[str], timeout: int) -> int:
    store.add(key, 0, timeout=timeout)
    try:
        count = store.incr(key)
    except ValueError:  # the key expired between add and incr
        store.set(key, 1, timeout=timeout)
        count = 1
    if older:
        count += sum(int(v) for v in store.get_many(older).values())
    return count


def window_hit(
    name: str, *, window_seconds: int, buckets: int = 1, now: float | None = None
) -> WindowCount:
    """Count one event under `name` and return the window's count, this event included."""
    now = time.time() if now is None else now
    width = max(window_seconds // buckets, 1)
    current = int(now // width)
    timeout = width * buckets + width
    key = f"window:{name}:{current}"
    older = [f"window:{name}:{current - i}" for i in range(1, buckets)]
    count = None
    if not shared_cache_down():
        try:
            count = _hit(cache, key, older, timeout)
        except CACHE_ERRORS as exc:
            _mark_down(exc)
    if count is None:
        count = _hit(_local, key, older, timeout)
    return WindowCount(count=count, resets_in=(current + 1) * width - now)


def fallback_clear() -> None:
    """Forget the local fallback's counts and try the shared cache at the next call."""
    global _down_until
    _local.clear()
    _down_until = 0.0


def window_peek(name: str, *, window_seconds: int, buckets: int = 1) -> int:
    """The window's count under `name` so far, without counting an event."""
    width = max(window_seconds // buckets, 1)
    current = int(time.time() // width)
    keys = [f"window:{name}:{current - i}" for i in range(buckets)]
    return sum(int(v) for v in shared_cache.get_many(keys).values())
