from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "gongxin.procurement"
    label = "procurement"
    verbose_name = _("Function transfer and purchase of services")

    def ready(self):
        # The export worker looks exporters up by name: register them in every process (and the
        # to-dos of the workspace, core.todos).
        from gongxin.procurement import exports, qualification, selectors, todos  # noqa: F401
