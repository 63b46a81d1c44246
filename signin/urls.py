from django.urls import path

from . import views

app_name = "signin"
urlpatterns = [
    path("oidc/<slug:slug>/start/", views.oidc_start, name="oidc_start"),
    path("oidc/<slug:slug>/callback/", views.oidc_callback, name="oidc_callback"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("security-log/", views.security_log, name="security_log"),
    path("email/", views.email_preferences, name="email_preferences"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("force-reset/<int:user_pk>/", views.force_reset, name="force_reset"),
]
