from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .security import session_stamp

        user_logged_in.connect(session_stamp, dispatch_uid="accounts.session_stamp")

        from . import access

        # A flush or migrate recreates permission rows (possibly under new ids): forget cached ids.
        post_migrate.connect(access.forget_cached_ids, dispatch_uid="accounts.access.forget_cached_ids")
        post_migrate.connect(access.close_log_purge_flag, sender=self, dispatch_uid="accounts.access.close_log_purge")
