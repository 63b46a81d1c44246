from django.apps import AppConfig


class IepConfig(AppConfig):
    name = "iep"
    verbose_name = "IEPs"
