from django import forms
from django.contrib import admin

from . import crypto
from .models import DistrictSignIn, EmailPreference, OIDCIdentity, OIDCProvider, OutgoingEmail, SecurityEvent


class OIDCProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted. Leave empty to keep the stored one; prefer the environment variable above.")

    class Meta:
        model = OIDCProvider
        fields = ["district", "name", "slug", "issuer", "client_id", "client_secret_env", "scopes",
                  "allowed_domains", "link_by_email", "require_email_verified", "mfa_claim", "mfa_values", "enabled"]

    def save(self, commit=True):
        provider = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            provider.client_secret_encrypted = crypto.encrypt(self.cleaned_data["client_secret"])
        if commit:
            provider.save()
        return provider


@admin.register(OIDCProvider)
class OIDCProviderAdmin(admin.ModelAdmin):
    form = OIDCProviderForm
    list_display = ["name", "district", "issuer", "enabled", "link_by_email", "mfa_claim"]
    list_filter = ["district", "enabled"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(OIDCIdentity)
class OIDCIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "linked_at", "last_used_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["linked_at", "last_used_at"]


@admin.register(DistrictSignIn)
class DistrictSignInAdmin(admin.ModelAdmin):
    list_display = ["district", "passwords_allowed", "names_in_email"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "user", "username", "address", "method", "result"]
    list_filter = ["kind", "district"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    exclude = ["text", "html"]  # reset links are secrets; bodies may name students


admin.site.register(EmailPreference)
