from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "gongxin.procurement"
    label = "procurement"
    verbose_name = _("Function transfer and purchase of services")
