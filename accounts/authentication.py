from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from signin.services import passwords_allowed

from .security import second_factor_needed
from .services import api_token_authenticate


class BasicAuthenticationWithoutSecondFactor(authentication.BasicAuthentication):
    """HTTP Basic for API clients, refused to accounts that must pass a second factor: a password alone must not
    open what the browser guards with two-factor sign-in. Refused too where the user's district has turned
    password sign-in off (single sign-on only; docs/security.md): a password must not open the API either.
    Personal access tokens keep working."""

    def authenticate_credentials(self, userid, password, request=None):
        user, auth = super().authenticate_credentials(userid, password, request)
        if not passwords_allowed(user):
            raise exceptions.AuthenticationFailed(
                "Your district signs in with single sign-on only: use a personal access token from the account "
                "page.")
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


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer iep_…` with a personal access token (accounts.ApiToken; docs/security.md).

    Tokens are created from a signed-in (and, where required, two-factor verified) browser session on the
    account page, so a token carries that sign-in's assurance without a password on every request.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        row = api_token_authenticate(token=token)
        if row is None:
            raise exceptions.AuthenticationFailed("The token is not valid, has expired or was revoked.")
        return row.user, row

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal access token from the account page."}
