"""Fixed-window counters on the shared cache: rate limits (sign-in per client address) and the
aggregation of repeated security events (one audit event per window and key, with a count).

Keys are the caller's (an address from core.clientip, a username's keyed hash); they are hashed
here, so any text fits in a cache key. The cache must be shared between web processes in
production (GONGXIN_REDIS_URL); with the local-memory default each process counts alone.

Not django-ratelimit: its decorators limit a view, while the same counter here also decides
which repeated failures reach the audit chain; the counter itself is these few lines."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def window_count(scope: str, key: str, *, window: int) -> int:
    """Count one more event of ``scope`` for ``key`` in the current ``window``-second window and
    return the count so far (1 for the first). Windows are aligned on multiples of ``window``."""
    bucket = int(time.time() // window)
    cache_key = "gongxin:rl:" + hashlib.sha256(f"{scope}\0{key}\0{window}\0{bucket}".encode()).hexdigest()
    if cache.add(cache_key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


def rate_limit_exceeded(scope: str, key: str, *, limit: int, window: int = 60) -> bool:
    """Count this attempt; True when it is beyond ``limit`` in its window (refuse it)."""
    return window_count(scope, key, window=window) > limit


def worth_recording(count: int) -> bool:
    """Whether the ``count``-th repeat of an event in its window is recorded: the 1st, 2nd, 4th,
    8th…, so a burst of n repeats costs about log2(n) audit events, and each recorded event's
    count is within a factor of two of the window's final one."""
    return count > 0 and count & (count - 1) == 0
