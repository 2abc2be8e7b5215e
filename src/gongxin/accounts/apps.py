from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongxin.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from gongxin.accounts import signals, todos  # noqa: F401  (todos: the administrator's, core.todos)
