from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in, passwords and email"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import security_log, tasks  # noqa: F401  (tasks: registered for the outbox's eager mode too)

        # The security log is an audit trail of Django's own sign-in events, not domain logic: these three
        # signals are the only place every sign-in path (password, single sign-on, admin) passes through.
        user_logged_in.connect(security_log.on_logged_in, dispatch_uid="signin.logged_in")
        user_logged_out.connect(security_log.on_logged_out, dispatch_uid="signin.logged_out")
        user_login_failed.connect(security_log.on_login_failed, dispatch_uid="signin.login_failed")
