from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .security import session_stamp

        user_logged_in.connect(session_stamp, dispatch_uid="accounts.session_stamp")
