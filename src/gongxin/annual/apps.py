from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualConfig(AppConfig):
    name = "gongxin.annual"
    label = "annual"
    verbose_name = _("Annual reports and supervision")

    def ready(self):
        # Register the annual module's exports (the worker process must see them too) and its
        # to-dos on the workspace (core.todos).
        from gongxin.annual import dormancy, exports, imports, inspections, retention, todos  # noqa: F401
        from gongxin.annual.services import rectification_deadlines_recount
        from gongxin.core.workdays import calendar_changed

        calendar_changed.connect(rectification_deadlines_recount, dispatch_uid="rectification_deadlines_recount")
