from django.apps import AppConfig


class PeerAppConfig(AppConfig):
    name = "peer_app"
    default_auto_field = "django.db.models.BigAutoField"
