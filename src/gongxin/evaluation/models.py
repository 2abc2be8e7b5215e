"""Grading evaluation (domain-rules §4). For now the concluded grades only: officers record the
grade an evaluation committee awarded (or import it), so the rules that depend on a grade (the
qualified organizations catalogue, project requirements, the profile) read one place. The
campaign, indicator and scoring workflow will build on this model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.core.fields import IdentityCharField


class Grade(models.IntegerChoices):
    A1 = 1, "1A"
    A2 = 2, "2A"
    A3 = 3, "3A"
    A4 = 4, "4A"
    A5 = 5, "5A"


class Evaluation(models.Model):
    """A concluded grading evaluation: the grade, valid 5 years from the decision (民政部令第39号)."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="evaluations")
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    decided_on = models.DateField(_("decided on"))
    valid_until = models.DateField(_("valid until"))
    deciding_body = IdentityCharField(_("deciding body"), max_length=128)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancelled_reason = models.TextField(_("reason for cancellation"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("grading evaluation")
        verbose_name_plural = _("grading evaluations")
        # The current grade of an organization: latest decision not cancelled and still valid.
        indexes = [models.Index(fields=["organization", "-decided_on"], name="evaluation_current")]
        constraints = [
            models.CheckConstraint(name="evaluation_valid_after_decision",
                                   condition=Q(valid_until__gt=models.F("decided_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_grade_display()}"
