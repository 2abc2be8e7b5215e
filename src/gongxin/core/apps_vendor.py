"""The third-party apps' names in the administration, translated: they name themselves in
English (AXES, OTP_TOTP, Tasks Database Backend) and Django admin shows the app's verbose name
as the section title. Same apps, labels and migrations; only the name differs."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts and lockouts")


class TOTPConfig(TOTPAppConfig):
    verbose_name = _("Authenticator app (TOTP) devices")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
