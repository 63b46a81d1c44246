"""Sign-in configuration per district (single sign-on providers, password policy), linked identities, the
security log, queued email and email preferences. See docs/sign-in.md."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DistrictSignIn(models.Model):
    """A district's sign-in and email policy. A district without a row uses the defaults below."""

    district = models.OneToOneField("students.District", on_delete=models.CASCADE, related_name="signin_policy")
    passwords_allowed = models.BooleanField(
        _("staff may also sign in with a password"), default=True,
        help_text=_("Off: staff of this district sign in only through the district's single sign-on "
                    "(superusers keep their password)."))
    names_in_email = models.BooleanField(
        _("student names in email bodies"), default=False,
        help_text=_("Off: emails name students by their local ID only. Subjects never name students."))

    class Meta:
        verbose_name = _("district sign-in policy")
        verbose_name_plural = _("district sign-in policies")

    def __str__(self):
        return f"Sign-in policy of {self.district}"


class OIDCProvider(models.Model):
    """One OpenID Connect provider a district signs in with (Microsoft Entra ID, Google Workspace, any other).

    Configured at run time (admin). The client secret comes from the environment variable named in
    `client_secret_env` or, failing that, from `client_secret_encrypted` (Fernet, see signin/crypto.py).
    """

    class MFAClaim(models.TextChoices):
        NONE = "", _("Never asserts MFA (always ask for the app's code)")
        AMR = "amr", _("amr (authentication methods, e.g. mfa, otp, hwk)")
        ACR = "acr", _("acr (authentication context class)")

    district = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="oidc_providers")
    name = models.CharField(_("name shown on the button"), max_length=80,
                            help_text=_('The sign-in page says "Sign in with NAME".'))
    slug = models.SlugField(unique=True, help_text=_("Part of the callback URL: /signin/oidc/SLUG/callback/"))
    issuer = models.URLField(_("issuer URL"), max_length=300,
                             help_text=_("Its /.well-known/openid-configuration is read for endpoints and keys."))
    client_id = models.CharField(max_length=300)
    client_secret_env = models.CharField(
        _("environment variable holding the client secret"), max_length=100, blank=True,
        help_text=_("e.g. OIDC_ENTRA_SECRET; preferred over a stored secret."))
    client_secret_encrypted = models.TextField(_("stored client secret (encrypted)"), blank=True, editable=False)
    scopes = models.CharField(max_length=200, default="openid email profile")
    allowed_domains = models.CharField(
        _("allowed email domains"), max_length=500, blank=True,
        help_text=_("Comma-separated, e.g. district.k12.ma.us. A first sign-in is linked by email only for "
                    "these domains."))
    link_by_email = models.BooleanField(
        _("link a first sign-in by email"), default=False,
        help_text=_("Trust this provider's email address to find the staff account the first time."))
    require_email_verified = models.BooleanField(
        _("require email_verified"), default=True,
        help_text=_("Google sends email_verified; Microsoft Entra ID does not by default (turn this off there "
                    "only if the district controls every address in the allowed domains)."))
    mfa_claim = models.CharField(_("MFA claim"), max_length=3, choices=MFAClaim.choices, blank=True)
    mfa_values = models.CharField(
        _("values that mean MFA was done"), max_length=300, blank=True, default="mfa",
        help_text=_("Comma-separated. amr: any listed method present; acr: the claim equals a listed value."))
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("OpenID Connect provider")

    def __str__(self):
        return f"{self.name} ({self.district})"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.allowed_domains.split(",") if d.strip()]

    @property
    def mfa_value_list(self) -> list[str]:
        return [v.strip() for v in self.mfa_values.split(",") if v.strip()]


class OIDCIdentity(models.Model):
    """A staff account linked to one provider's subject (`sub`), made at the first accepted sign-in."""

    provider = models.ForeignKey(OIDCProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities")
    linked_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_link_per_provider_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="one_link_per_provider_user"),
        ]
        verbose_name = _("linked sign-in identity")
        verbose_name_plural = _("linked sign-in identities")

    def __str__(self):
        return f"{self.user} via {self.provider.name}"


class SecurityEvent(models.Model):
    """One sign-in, sign-out, failure or password change: who (user id, name tried), from where, how, result.

    Visible to the district's administrators (their district's rows) and superusers. Never holds a password,
    a token or a student's anything.
    """

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Sign-in")
        SIGN_OUT = "sign_out", _("Sign-out")
        FAILURE = "failure", _("Failed sign-in")
        REFUSED = "refused", _("Refused single sign-on")
        PASSWORD_CHANGE = "password_change", _("Password changed")
        RESET_REQUEST = "reset_request", _("Password reset requested")
        RESET_DONE = "reset_done", _("Password reset by link")
        FORCED_RESET = "forced_reset", _("Password reset forced by an administrator")
        RATE_LIMITED = "rate_limited", _("Rate limited")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    district = models.ForeignKey("students.District", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text=_("What was typed, for failures."))
    address = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=60, blank=True, help_text=_("password, oidc:SLUG, admin, link"))
    result = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["district", "-at"], name="signin_event_district_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} user={self.user_id} {self.method} {self.result}"


class OutgoingEmail(models.Model):
    """One email to one address, stored before it is sent, so a mail server that is down loses nothing.

    Sent by `signin.tasks.email_send_task` (queued through the outbox with the change that asks for it) and
    retried by the beat sweeper until sent. `key`, when set, makes queueing idempotent (one weekly digest per
    person and week).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    kind = models.CharField(max_length=40)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField(blank=True)
    attachment = models.CharField(max_length=300, blank=True,
                                  help_text="A stored file (default storage name) attached as a PDF when sent.")
    attachment_name = models.CharField(max_length=120, blank=True, help_text="The attachment's file name.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "id"], name="signin_email_status_id")]
        constraints = [models.CheckConstraint(name="sent_email_has_time",
                                              condition=~Q(status="sent") | Q(sent_at__isnull=False))]

    def __str__(self):
        return f"{self.kind} to user mailbox #{self.pk} ({self.status})"


class EmailPreference(models.Model):
    """A staff member's email choices. Without a row: everything on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    weekly_digest = models.BooleanField(_("send me the weekly deadline digest"), default=True)

    def __str__(self):
        return f"Email preferences of {self.user}"
