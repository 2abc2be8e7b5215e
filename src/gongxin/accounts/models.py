"""Users and their roles. A role fixes what a user may do; the scope fields fix over what."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_USER = "org_user", _("Organization user")
    FOUNDER = "founder", _("Founder (applicant for establishment)")
    OFFICER = "officer", _("Registration officer")
    SPONSOR = "sponsor", _("Sponsor unit")
    PURCHASER = "purchaser", _("Purchaser")
    EVALUATOR = "evaluator", _("Evaluator")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A platform account (the public needs none).

    Scope by role: an officer's ``jurisdiction`` (a region subtree), an organization user's
    ``organization``, a sponsor user's ``sponsor_unit``; purchasers and evaluators are scoped
    by their ``department`` (purchasers) or the records assigned to them (evaluators;
    ``unit_name`` names their body).
    A founder has no scope but their own registration applications.
    """

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    unit_name = models.CharField(_("unit"), max_length=128, blank=True)
    jurisdiction = models.ForeignKey(
        "core.Region", verbose_name=_("jurisdiction"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("organization"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    sponsor_unit = models.ForeignKey(
        "registry.SponsorUnit", verbose_name=_("sponsor unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    # A purchaser's department: the projects it may see and act on.
    department = models.ForeignKey(
        "procurement.Department", verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    # Set on accounts whose password someone else chose (seeded outside demo mode, or reset by an
    # administrator): accounts.middleware.SecurityGateMiddleware sends the user to the
    # password-change page until they choose their own.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="officer_has_jurisdiction",
                condition=~models.Q(role="officer") | models.Q(jurisdiction__isnull=False),
            ),
            models.CheckConstraint(
                name="org_user_has_organization",
                condition=~models.Q(role="org_user") | models.Q(organization__isnull=False),
            ),
            models.CheckConstraint(
                name="sponsor_has_sponsor_unit",
                condition=~models.Q(role="sponsor") | models.Q(sponsor_unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so that a new password cannot be an old one
    (accounts.passwords.PasswordHistoryValidator). Only the last few are kept: an old hash is
    a liability, not a record."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("set at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
