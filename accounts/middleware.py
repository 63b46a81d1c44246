"""Session limits and two-factor enforcement; both run after authentication and django-otp's middleware."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import security

HEARTBEAT_HEADER = "X-IEP-Heartbeat"
TWO_FACTOR_EXEMPT = {"login", "logout", "healthz", "account:2fa-setup", "account:2fa-verify"}


def _is_heartbeat(request) -> bool:
    match = request.resolver_match
    return request.headers.get(HEARTBEAT_HEADER) == "1" or bool(match and (match.url_name or "").endswith("heartbeat"))


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or _is_heartbeat(request)


class SessionLimitsMiddleware:
    """End a session after IEP_SESSION_IDLE without activity, IEP_SESSION_MAX after sign-in, or as soon as its
    user is deactivated. Heartbeats (lock lease renewals) are not activity (decision 4)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = request.session
        if SESSION_KEY not in session:
            return None
        # ModelBackend.get_user returns no user for an inactive account, so a deactivated user arrives here
        # anonymous with their session still stored: end it now.
        if not request.user.is_authenticated or not request.user.is_active:
            return self._end(request, "Your session has ended. Sign in again to continue.")
        now = time.time()
        if security.STARTED not in session:  # a session from before these limits existed
            session[security.STARTED] = session[security.LAST_ACTIVE] = now
        elif security.session_expired(session, now):
            return self._end(request, "Your session ended after a period without activity. Sign in again to continue.")
        elif not _is_heartbeat(request) and now - session[security.LAST_ACTIVE] >= security.ACTIVITY_RESOLUTION:
            session[security.LAST_ACTIVE] = now
        return None

    def _end(self, request, message):
        wants_json = _wants_json(request)
        logout(request)
        if wants_json:
            return JsonResponse({"detail": "Your session has ended."}, status=401)
        messages.info(request, message)
        if request.headers.get("HX-Request"):  # htmx: send the whole page to sign-in, not a fragment
            login = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.headers.get('HX-Current-URL', '/')})}"
            return HttpResponse(status=204, headers={"HX-Redirect": login})
        return redirect_to_login(request.get_full_path())


class TwoFactorMiddleware:
    """A signed-in user who has a device must enter a code before any page; an administrator whose district
    requires two-factor sign-in (or a superuser) with no device is sent to add one. The decision stored at sign-in
    is re-checked on every request while it says "nothing needed", so a role granted mid-session takes effect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match and match.view_name in TWO_FACTOR_EXEMPT:
            return None
        needed = request.session.get(security.SECOND_FACTOR)
        if needed is None:  # a session from before two-factor existed: decide now
            needed = request.session[security.SECOND_FACTOR] = security.second_factor_needed(user)
        elif (not needed and not request.session.get(security.PROVIDER_MFA)
              and security.two_factor_required(user)):  # a role granted since sign-in (one query)
            needed = request.session[security.SECOND_FACTOR] = "setup"
        if not needed:
            return None
        if _wants_json(request):
            return JsonResponse({"detail": "Two-factor verification is required. Sign in through the web page."},
                                status=403)
        target = "account:2fa-verify" if needed == "verify" else "account:2fa-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response but static files: pages, API responses, exports and PDFs may
    carry student data, and no browser cache or shared proxy may keep a copy (docs/security.md)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)
        return response
