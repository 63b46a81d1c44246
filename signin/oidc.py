"""The OpenID Connect client of one configured provider, built at run time with Authlib.

Authlib fetches the provider's discovery document and its JWKS over HTTP, checks the ID token's RS256 (or
other advertised) signature, issuer, audience, expiry and nonce, and keeps the OAuth `state` in the session,
removing it when the callback uses it (so a replayed callback finds no state and is refused).
"""

from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.core.cache import cache

from . import crypto
from .exceptions import ProviderMisconfigured
from .models import OIDCProvider

METADATA_SECONDS = 3600  # discovery documents change rarely; keys are re-fetched on an unknown key id


def client_secret(provider: OIDCProvider) -> str:
    import os

    if provider.client_secret_env:
        secret = os.environ.get(provider.client_secret_env, "")
        if secret:
            return secret
    return crypto.decrypt(provider.client_secret_encrypted)


def discovery_url(provider: OIDCProvider) -> str:
    return provider.issuer.rstrip("/") + "/.well-known/openid-configuration"


def client_for(provider: OIDCProvider) -> DjangoOAuth2App:
    """A fresh Authlib client for `provider` (cheap: discovery is cached in Django's cache)."""
    secret = client_secret(provider)
    if not secret:
        raise ProviderMisconfigured(f"provider {provider.slug} has no client secret")
    app = DjangoOAuth2App(
        DjangoIntegration(f"oidc-{provider.slug}"), name=f"oidc-{provider.slug}",
        client_id=provider.client_id, client_secret=secret, server_metadata_url=discovery_url(provider),
        client_kwargs={"scope": provider.scopes, "default_timeout": settings.SIGNIN_OIDC_TIMEOUT,
                       "code_challenge_method": "S256"})
    key = f"signin-oidc-meta:{provider.pk}:{discovery_url(provider)}"
    metadata = cache.get(key)
    if metadata is None:
        try:
            metadata = app.load_server_metadata()
        except Exception as exc:  # network, TLS, JSON: the provider cannot be used right now
            raise ProviderMisconfigured(f"discovery of {provider.slug} failed: {type(exc).__name__}") from exc
        cache.set(key, metadata, METADATA_SECONDS)
    else:
        app.server_metadata = {**metadata, **app.server_metadata}
    return app


def mfa_asserted(provider: OIDCProvider, claims: dict) -> bool:
    """Did the provider say it performed multi-factor authentication, as this provider is configured to say it?

    amr: a list of methods (RFC 8176), MFA when any configured value is in it; acr: one string, MFA when it is
    one of the configured values. Google sends neither, so for Google this is always False.
    """
    values = provider.mfa_value_list
    if provider.mfa_claim == OIDCProvider.MFAClaim.AMR:
        amr = claims.get("amr") or []
        if isinstance(amr, str):
            amr = [amr]
        return any(value in amr for value in values)
    if provider.mfa_claim == OIDCProvider.MFAClaim.ACR:
        return claims.get("acr") in values
    return False
