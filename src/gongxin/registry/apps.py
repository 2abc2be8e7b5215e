from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _policy_changed(**kwargs):
    from gongxin.registry.policy import policy_cache_clear

    policy_cache_clear()


class RegistryConfig(AppConfig):
    name = "gongxin.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from gongxin.registry import exports, todos  # noqa: F401  (its exports; its to-dos, core.todos)
        from gongxin.registry.models import JurisdictionPolicy

        post_save.connect(_policy_changed, sender=JurisdictionPolicy, dispatch_uid="policy_changed")
        post_delete.connect(_policy_changed, sender=JurisdictionPolicy, dispatch_uid="policy_changed_delete")
        from gongxin.core.workdays import calendar_changed
        from gongxin.registry.applications import deadlines_recount

        calendar_changed.connect(deadlines_recount, dispatch_uid="registry_deadlines_recount")
