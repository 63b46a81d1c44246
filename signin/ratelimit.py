"""A fixed-window request counter in Django's cache (Redis when REDIS_URL is set, else per process).

Used for the password reset form and the single sign-on start and callback (the password form also has
django-axes' lockout per username and address).
"""

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limited(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for (`scope`, `key`); True when this hit is over `limit` within the current window."""
    if not settings.SIGNIN_RATE_LIMITS:
        return False
    name = f"signin-rl:{scope}:{key}"
    cache.add(name, 0, timeout=window_seconds)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window_seconds)
        count = 1
    return count > limit
