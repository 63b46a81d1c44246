"""Sign-in pages: password and single sign-on sign-in, sign-out, password change and reset, the security log,
email preferences and backup codes. See docs/sign-in.md."""

import logging
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc.errors import JoseError

from accounts import access
from accounts import security as account_security

from . import oidc
from .backup_codes import backup_codes_create, backup_codes_remaining
from .exceptions import ProviderMisconfigured, SignInRefused
from .forms import EmailPreferenceForm, ResetRequestForm, SignInForm
from .models import EmailPreference, OIDCProvider, SecurityEvent
from .ratelimit import client_address, limited
from .security_log import METHOD_ATTR, security_event_record
from .services import identity_match, password_force_reset

logger = logging.getLogger(__name__)

SESSION_PROVIDER = "signin_oidc_provider"
SESSION_ID_TOKEN = "signin_oidc_id_token"


def _too_many(request, what: str):
    security_event_record(kind=SecurityEvent.Kind.RATE_LIMITED, request=request, method=what, result="429")
    return render(request, "signin/rate_limited.html", {"what": what}, status=429)


def _providers():
    return OIDCProvider.objects.filter(enabled=True).select_related("district").order_by("name")


class SignInView(auth_views.LoginView):
    http_method_names = ["get", "post"]  # FormView would also take PUT as POST
    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Keyed by address AND username, like the axes lockout: a whole building signs in from one address.
        who = f"{client_address(request)}:{request.POST.get('username', '')[:150].lower()}"
        if limited("login", who, limit=settings.SIGNIN_LOGIN_PER_USERNAME, window_seconds=300):
            return _too_many(request, "sign-in")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "providers": _providers()}


@never_cache
@require_GET
def oidc_start(request, slug):
    provider = get_object_or_404(OIDCProvider, slug=slug, enabled=True)
    if limited("oidc", client_address(request), limit=settings.SIGNIN_OIDC_PER_ADDRESS, window_seconds=300):
        return _too_many(request, "single sign-on")
    try:
        client = oidc.client_for(provider)
    except ProviderMisconfigured as exc:
        logger.error("oidc provider unusable: %s", exc)
        return _refused(request, provider, "provider_unavailable",
                        _("%(name)s sign-in is not available right now. Try again later or ask your district's "
                          "administrator.") % {"name": provider.name}, status=503)
    next_url = request.GET.get("next", "")
    if next_url:
        request.session["signin_next"] = next_url
    callback = request.build_absolute_uri(reverse("signin:oidc_callback", kwargs={"slug": provider.slug}))
    return client.authorize_redirect(request, callback)


def _refused(request, provider, reason: str, message: str, *, status: int = 403):
    security_event_record(kind=SecurityEvent.Kind.REFUSED, request=request, method=f"oidc:{provider.slug}",
                          result=reason, district_id=provider.district_id)
    return render(request, "signin/refused.html", {"provider": provider, "message": message}, status=status)


@never_cache
@require_GET
def oidc_callback(request, slug):
    provider = get_object_or_404(OIDCProvider, slug=slug, enabled=True)
    if limited("oidc", client_address(request), limit=settings.SIGNIN_OIDC_PER_ADDRESS, window_seconds=300):
        return _too_many(request, "single sign-on")
    failed = _("The sign-in with %(name)s could not be completed. Start again from the sign-in page.") % {
        "name": provider.name}
    try:
        client = oidc.client_for(provider)
        token = client.authorize_access_token(request)
    except ProviderMisconfigured:
        return _refused(request, provider, "provider_unavailable", failed, status=503)
    except OAuthError as exc:  # includes a missing, unknown or replayed state
        return _refused(request, provider, f"oauth:{exc.error}", failed, status=400)
    except JoseError as exc:  # bad signature, wrong audience or issuer, expired, wrong nonce
        return _refused(request, provider, f"token:{exc.error}", failed, status=400)
    except (requests.RequestException, ValueError) as exc:
        return _refused(request, provider, f"network:{type(exc).__name__}", failed, status=502)
    claims = dict(token.get("userinfo") or {})
    if not claims:
        return _refused(request, provider, "no_id_token", failed, status=400)
    try:
        user = identity_match(provider=provider, claims=claims)
    except SignInRefused as exc:
        return _refused(request, provider, exc.reason, exc.message)
    next_url = request.session.pop("signin_next", "")
    setattr(request, METHOD_ATTR, f"oidc:{provider.slug}")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_PROVIDER] = provider.pk
    request.session[SESSION_ID_TOKEN] = token.get("id_token", "")
    if oidc.mfa_asserted(provider, claims):  # the provider did MFA: the app's own code is not asked again
        request.session[account_security.SECOND_FACTOR] = ""
        request.session[account_security.PROVIDER_MFA] = True
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


@require_POST
def sign_out(request):
    """End the app's session; when it came from single sign-on, offer the provider's sign-out too."""
    provider_pk = request.session.get(SESSION_PROVIDER)
    id_token = request.session.get(SESSION_ID_TOKEN, "")
    logout(request)
    provider = OIDCProvider.objects.filter(pk=provider_pk).first() if provider_pk else None
    provider_logout = ""
    if provider is not None:
        try:
            metadata = oidc.client_for(provider).load_server_metadata()
        except ProviderMisconfigured:
            metadata = {}
        endpoint = metadata.get("end_session_endpoint")
        if endpoint:
            query = {"client_id": provider.client_id,
                     "post_logout_redirect_uri": request.build_absolute_uri(reverse(settings.LOGIN_URL))}
            if id_token:
                query["id_token_hint"] = id_token
            provider_logout = f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"
    if provider_logout:
        return render(request, "signin/signed_out.html", {"provider": provider, "provider_logout": provider_logout})
    messages.info(request, _("You are signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Current password required, Django's validators; Django then keeps this session and ends the others
    (their stored password hash no longer matches)."""

    http_method_names = ["get", "post"]
    template_name = "signin/password_change.html"
    success_url = reverse_lazy("signin:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_record(kind=SecurityEvent.Kind.PASSWORD_CHANGE, request=self.request, user=self.request.user,
                              method="password", result="ok; other sessions ended")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    http_method_names = ["get", "post"]
    form_class = ResetRequestForm
    template_name = "signin/password_reset.html"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "").strip().lower()
        over_address = limited("reset", client_address(request), limit=settings.SIGNIN_RESET_PER_ADDRESS,
                               window_seconds=900)
        over_email = bool(email) and limited("reset-email", email, limit=settings.SIGNIN_RESET_PER_EMAIL,
                                             window_seconds=3600)
        if over_address or over_email:
            return _too_many(request, "password reset")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        security_event_record(kind=SecurityEvent.Kind.RESET_REQUEST, request=self.request, method="email",
                              result="requested")
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    http_method_names = ["get", "post"]
    template_name = "signin/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_record(kind=SecurityEvent.Kind.RESET_DONE, request=self.request, user=form.user,
                              method="link", result="ok")
        return response


@login_required
@require_GET
def security_log(request):
    """District administrators: the security log of their district's staff (superusers: everything)."""
    districts = access.security_log_districts(request.user)
    if districts is None:
        events = SecurityEvent.objects.all()
    elif not districts:
        raise PermissionDenied
    else:
        events = SecurityEvent.objects.filter(district_id__in=districts)
    kind = request.GET.get("kind", "")
    if kind in SecurityEvent.Kind.values:
        events = events.filter(kind=kind)
    page = Paginator(events.select_related("user"), 50).get_page(request.GET.get("page"))
    return render(request, "signin/security_log.html", {"page": page, "kinds": SecurityEvent.Kind.choices,
                                                        "kind": kind})


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    preference = EmailPreference.objects.filter(user=request.user).first()
    form = EmailPreferenceForm(request.POST if request.method == "POST" else None,
                               initial={"weekly_digest": preference.weekly_digest if preference else True})
    if request.method == "POST" and form.is_valid():
        EmailPreference.objects.update_or_create(user=request.user,
                                                 defaults={"weekly_digest": form.cleaned_data["weekly_digest"]})
        messages.success(request, _("Your email preferences are saved."))
        return redirect("signin:email_preferences")
    return render(request, "signin/email_preferences.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """Show how many backup codes remain; POST makes a new set (shown once) and voids the old one. Needs a
    verified session: a password alone may not mint codes for an account that has a second factor."""
    if not request.user.is_verified():
        return redirect(f"{reverse('account:2fa-verify')}?{urlencode({'next': request.path})}")
    codes = backup_codes_create(user=request.user) if request.method == "POST" else None
    return render(request, "signin/backup_codes.html", {"codes": codes,
                                                        "remaining": backup_codes_remaining(user=request.user)})


@login_required
@require_POST
def force_reset(request, user_pk):
    target = access.get_staff_or_404(request.user, user_pk)
    if target.district is None or not access.can(request.user, "manage_district", target.district):
        raise PermissionDenied
    if target.pk == request.user.pk:
        messages.error(request, _("Change your own password from your account page."))
        return redirect("manage:user_detail", user_pk=target.pk)
    password_force_reset(user=target, by=request.user, request=request)
    messages.success(request, _("%(name)s's password no longer works; they must set a new one from the emailed "
                                "link, and their open sessions are ended.") % {"name": target.username})
    return redirect("manage:user_detail", user_pk=target.pk)


@login_required
@require_GET
def password_change_done(request):
    return render(request, "signin/password_change_done.html")
