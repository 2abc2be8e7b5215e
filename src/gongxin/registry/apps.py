from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gongxin.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from gongxin.registry import exports  # noqa: F401  (registers the registry's exports)
