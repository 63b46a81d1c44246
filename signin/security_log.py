"""Write the security log (signin.SecurityEvent). Called by Django's sign-in signals (see apps.py) and by the
password and single sign-on doors."""

import logging

from .models import SecurityEvent
from .ratelimit import client_address

logger = logging.getLogger("signin.security")

METHOD_ATTR = "_signin_method"  # set on the request by a door before login() to name the method


def security_event_record(*, kind: str, request=None, user=None, username: str = "", method: str = "",
                          result: str = "", district_id: int | None = None) -> SecurityEvent:
    """Append one event, filed under the user's district (or `district_id`, e.g. the provider's for a refused
    single sign-on). The address is the direct peer (REMOTE_ADDR; behind a proxy have the proxy set it)."""
    address = client_address(request) if request is not None else None
    if address == "unknown":
        address = None
    event = SecurityEvent.objects.create(
        kind=kind, user=user if user is not None and user.pk else None,
        district_id=getattr(user, "district_id", None) or district_id,
        username=(username or getattr(user, "username", ""))[:150],
        address=address, method=method[:60], result=result[:200])
    logger.info("security event %s user_id=%s method=%s result=%s", kind, event.user_id, method, result)
    return event


def _method(request, default: str = "password") -> str:
    if request is None:
        return default
    if getattr(request, METHOD_ATTR, None):
        return getattr(request, METHOD_ATTR)
    session = getattr(request, "session", None)
    return (session.get("signin_method") if session is not None else None) or default


def on_logged_in(sender, request, user, **kwargs):
    method = _method(request)
    if request is not None and hasattr(request, "session"):
        request.session["signin_method"] = method
    security_event_record(kind=SecurityEvent.Kind.SIGN_IN, request=request, user=user, method=method, result="ok")


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    security_event_record(kind=SecurityEvent.Kind.SIGN_OUT, request=request, user=user,
                          method=_method(request, default=""), result="ok")


def on_login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    username = (credentials or {}).get("username", "") or ""
    user = get_user_model().objects.filter(username=username).first() if username else None
    security_event_record(kind=SecurityEvent.Kind.FAILURE, request=request, user=user, username=username,
                          method="password", result="wrong username or password")
