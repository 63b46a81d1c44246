from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .emails import password_reset_email_queue
from .services import passwords_allowed


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a password sign-in where the district allows single sign-on only."""

    password = forms.CharField(label=_("Password"), strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    error_messages = {
        **AuthenticationForm.error_messages,
        "sso_only": _("Your district signs in with its own accounts: use the sign-in button below."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not passwords_allowed(user):
            raise forms.ValidationError(self.error_messages["sso_only"], code="sso_only")


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, sending through the outbox (never from the web request) and only to active accounts
    of districts that allow passwords. The page answers the same whether or not the address exists."""

    def get_users(self, email):
        users = get_user_model().objects.filter(email__iexact=email, is_active=True)
        return (user for user in users if passwords_allowed(user))

    def save(self, request=None, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_email_queue(user=user, request=request)


class EmailPreferenceForm(forms.Form):
    weekly_digest = forms.BooleanField(
        label=_("Send me the weekly email of my deadlines (overdue and due within 14 days)"), required=False)


class SignInCodeForm(forms.Form):
    """The code prompt at sign-in: the authenticator app's 6 digits, or one of the account's backup codes."""

    code = forms.CharField(
        label=_("6-digit code from your authenticator app, or a backup code"), min_length=6, max_length=12,
        widget=forms.TextInput(attrs={"class": "usa-input usa-input--medium", "autocomplete": "one-time-code",
                                      "autocapitalize": "none", "spellcheck": "false"}))

    def clean_code(self):
        code = self.cleaned_data["code"].strip().replace(" ", "").replace("-", "").lower()
        if not (len(code) == 6 and code.isdigit()) and not (len(code) == 10 and code.isalnum()):
            raise forms.ValidationError(_("Enter the 6 digits shown in your authenticator app, or a 10-character "
                                          "backup code."))
        return code
