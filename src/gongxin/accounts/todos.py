"""The administrator's account to-dos on the workspace (core.todos): accounts locked out now."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core import todos


@todos.register("admin")
def admin_todos(actor, today):
    locked = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                          attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME).count()
    return [todos.Todo(_("Accounts locked out after repeated failed sign-ins"), locked,
                       reverse("accounts:security_users"), todos.WAITING, area=_("Accounts"))]
