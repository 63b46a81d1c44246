from django.apps import AppConfig


class InputChecksConfig(AppConfig):
    """Installs the input limits of config/input_checks.py on every form and serializer field at start-up."""

    name = "config"
    label = "input_checks"
    verbose_name = "Input checks"

    def ready(self):
        from .input_checks import install

        install()
