from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "gongxin.evaluation"
    label = "evaluation"
    verbose_name = _("Grading evaluation")

    def ready(self):
        from gongxin.evaluation import exports  # noqa: F401  (registers "evaluation_grades" for the worker)
