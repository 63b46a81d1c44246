"""Sign-in policy: session limits and who must use two-factor authentication.

The session carries three keys, written at sign-in (accounts.apps connects `session_stamp` to user_logged_in):
when the session started, when the user last did something, and what second factor the sign-in still needs.
"""

import time

from django.conf import settings
from django_otp import user_has_device

from .models import ADMIN_ROLES, RoleAssignment, User

STARTED = "iep_session_started"
LAST_ACTIVE = "iep_session_last_active"
SECOND_FACTOR = "iep_second_factor"  # "verify": has a device, must enter a code; "setup": must add one; "": none
PROVIDER_MFA = "signin_provider_mfa"  # set at single sign-on when the provider asserted multi-factor sign-in
ACTIVITY_RESOLUTION = 60  # seconds: activity is recorded at most once a minute, so most requests write nothing


def two_factor_required(user: User) -> bool:
    """True for a superuser (they read every district in the admin; no district can waive it for them) and for
    anyone who administers a building or district whose district requires two-factor sign-in."""
    if user.is_superuser:
        return True
    admin_roles = RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES)
    return admin_roles.filter(district__require_2fa_for_admins=True).exists()


def second_factor_needed(user: User) -> str:
    """What a fresh sign-in of `user` must still do: "verify" a code, "setup" a device, or nothing ("")."""
    if user_has_device(user, confirmed=True):
        return "verify"
    return "setup" if two_factor_required(user) else ""


def session_stamp(sender, request, user, **kwargs) -> None:
    """At sign-in: start the session clocks and decide the second factor, so later requests cost no query.

    A sign-in that needs no second factor is re-checked on each request (TwoFactorMiddleware), so a role granted
    during the session (or the requirement turned on) applies at once; see docs/security.md.
    """
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[STARTED] = request.session[LAST_ACTIVE] = now
    request.session[SECOND_FACTOR] = second_factor_needed(user)


def session_expired(session, now: float) -> bool:
    """Past the absolute limit since sign-in, or idle longer than the idle limit."""
    started, last = session.get(STARTED, now), session.get(LAST_ACTIVE, now)
    return (now - started > settings.IEP_SESSION_MAX.total_seconds()
            or now - last > settings.IEP_SESSION_IDLE.total_seconds())


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address they forwarded
    (django-ipware through django-axes, so the lockout, the throttles and the access log agree)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)
