from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualConfig(AppConfig):
    name = "gongxin.annual"
    label = "annual"
    verbose_name = _("Annual reports and supervision")

    def ready(self):
        # Register the annual module's exports (the worker process must see them too).
        from gongxin.annual import dormancy, exports, imports, inspections  # noqa: F401
