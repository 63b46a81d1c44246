from django.urls import path

from . import views

app_name = "account"
urlpatterns = [
    path("2fa/", views.two_factor_setup, name="2fa-setup"),
    path("2fa/verify/", views.two_factor_verify, name="2fa-verify"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:token_pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
