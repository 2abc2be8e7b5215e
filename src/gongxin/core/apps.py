from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongxin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.core import checks
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save

        from gongxin.core import workdays
        from gongxin.core.audit import register_sqlite_functions
        from gongxin.core.checkpoints import check_checkpoint_key
        from gongxin.core.models import WorkdayYear

        checks.register(check_checkpoint_key, checks.Tags.security, deploy=True)
        connection_created.connect(register_sqlite_functions)
        # An administrator's new holiday schedule must count from the next deadline computed.
        for signal in (post_save, post_delete):
            signal.connect(workdays.clear_cache, sender=WorkdayYear, dispatch_uid="gongxin.core.workdays.clear_cache")
