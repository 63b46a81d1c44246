from base64 import b32encode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.forms import SignInCodeForm
from signin.qr import qr_data_uri

from . import security, services
from .forms import ApiTokenForm, OTPCodeForm
from .models import ApiToken


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request):
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        if not user.is_verified():  # a password alone may not add a device to a protected account
            return redirect(f"{reverse('account:2fa-verify')}?next={request.path}")
        return render(request, "accounts/two_factor_setup.html", {"enabled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False)
    form = OTPCodeForm(request.POST or None)
    if form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", "Wait a few seconds before trying another code.")
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[security.SECOND_FACTOR] = "verify"
            messages.success(request, "Two-factor sign-in is on. You will enter a code each time you sign in.")
            return redirect(_next_url(request))
        else:
            form.add_error("code", "That code did not match. Check that your phone's clock is right and try again.")
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "otpauth_uri": device.config_url, "secret": b32encode(device.bin_key).decode(),
        "qr_data_uri": qr_data_uri(device.config_url),  # signin: the setup link as a server-drawn QR code
        "required": request.session.get(security.SECOND_FACTOR) == "setup", "next": _next_url(request)})


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = SignInCodeForm(request.POST or None)  # signin: also accepts a backup code
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", "That code did not match. Enter the code your authenticator app shows now.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this instead of its plain-text 403: an explained page, 429 Too Many Requests."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {"failure_limit": get_failure_limit(request, credentials),
               "username": get_client_username(request, credentials) or "",
               "cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None}
    return render(request, "registration/locked_out.html", context, status=429)


def _tokens_page(request, form, created=None, status=200):
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/api_tokens.html",
                  {"form": form, "tokens": tokens, "created": created, "now": timezone.now()}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def api_tokens(request):
    """The signed-in user's personal access tokens: listed, created (the token shown once) and revoked."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                row, token = services.api_token_create(user=request.user, name=form.cleaned_data["name"],
                                                       days=form.cleaned_data["days"])
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                return _tokens_page(request, ApiTokenForm(), created={"row": row, "token": token}, status=201)
        return _tokens_page(request, form, status=400)
    return _tokens_page(request, form)


@require_POST
@login_required
def api_token_revoke(request, token_pk):
    token = ApiToken.objects.filter(user=request.user, pk=token_pk).first()  # only one's own: others are 404
    if token is None:
        raise Http404("No such token.")
    services.api_token_revoke(token=token)
    messages.success(request, f"Revoked the token {token.name}: it no longer works.")
    return redirect("account:api-tokens")
