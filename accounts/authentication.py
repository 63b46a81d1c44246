from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .security import second_factor_needed


class BasicAuthenticationWithoutSecondFactor(authentication.BasicAuthentication):
    """HTTP Basic for API clients, refused to accounts that must pass a second factor: a password alone must not
    open what the browser guards with two-factor sign-in."""

    def authenticate_credentials(self, userid, password, request=None):
        user, auth = super().authenticate_credentials(userid, password, request)
        if second_factor_needed(user):
            raise exceptions.AuthenticationFailed(
                "This account uses two-factor sign-in: use the API from a signed-in browser session.")
        return user, auth


class BasicAuthenticationWithoutSecondFactorScheme(OpenApiAuthenticationExtension):
    """Documents the class above in the OpenAPI schema as plain HTTP Basic."""

    target_class = "accounts.authentication.BasicAuthenticationWithoutSecondFactor"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}
