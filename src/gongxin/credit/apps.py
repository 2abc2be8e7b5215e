from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "gongxin.credit"
    label = "credit"
    verbose_name = _("Credit supervision")

    def ready(self):
        from gongxin.core.facts import facts_changed
        from gongxin.core.workdays import calendar_changed

        # The "credit_listed" exporter for the worker; the to-dos of the workspace (core.todos).
        from gongxin.credit import exports, todos  # noqa: F401
        from gongxin.credit.engine import on_facts_changed
        from gongxin.credit.services import deadlines_recount

        calendar_changed.connect(deadlines_recount, dispatch_uid="credit_deadlines_recount")
        # A fact that rectifies a ground updates the credit state on commit (core.facts).
        facts_changed.connect(on_facts_changed, dispatch_uid="credit_facts_changed")
