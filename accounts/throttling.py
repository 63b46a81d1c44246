"""API throttling (docs/security.md): every write is rate-limited per user, reads are not."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WriteRateThrottle(SimpleRateThrottle):
    """POST, PUT, PATCH and DELETE at most IEP_API_WRITE_RATE (e.g. "120/minute") per user, or per address for
    anonymous requests. The rate is read at each request, so it follows the settings."""

    scope = "write"

    def get_rate(self):
        return settings.IEP_API_WRITE_RATE

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
