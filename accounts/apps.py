from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import console_session_started
        from accounts.signin import lockout_audit

        user_locked_out.connect(lockout_audit, dispatch_uid="accounts.lockout_audit")
        user_logged_in.connect(console_session_started, dispatch_uid="accounts.session_started")
