"""Domain-free models: GB/T 2260 regions and the hash-chained audit log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    COUNTRY = 0, _("Country")
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    DISTRICT = 3, _("District / county")


class Region(models.Model):
    """A GB/T 2260 administrative division. A jurisdiction is the subtree under a code.

    The code's own structure (PP CC DD) gives the subtree: an officer of 440400 sees every
    region whose code starts with "4404"; ``prefix`` stores that significant part so a
    subtree query is an indexed range ('4404' <= prefix < '4405') on both engines.
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    prefix = models.CharField(_("code prefix"), max_length=6, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def prefix_of(code: str) -> str:
        """The significant part of a code: '440000' -> '44', '440400' -> '4404', '100000' -> ''."""
        from gongxin.core.regions import prefix_of

        return prefix_of(code)

    def full_name(self) -> str:
        """广东省珠海市香洲区: the names of the region and its ancestors, in one query."""
        codes = [c for c in (self.code[:2] + "0000", self.code[:4] + "00", self.code) if c != "100000"]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        return "".join(names[c] for c in dict.fromkeys(codes) if c in names)


class AuditEvent(models.Model):
    """Append-only, hash-chained record of a state change or security event.

    ``hash`` covers this row's content and the previous row's hash, so editing or deleting
    any row breaks every later link; ``gongxin audit verify`` finds the first broken one.
    Database triggers (migration 0002) refuse UPDATE and DELETE on both engines.
    """

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        # No fork: two events can never link to the same predecessor.
        constraints = [models.UniqueConstraint(fields=["prev_hash"], name="auditevent_prev_hash_unique")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"


class ExportJob(models.Model):
    """An Excel export prepared in the background (a province's registry is a million rows),
    with its progress for the page that waits on it. Only its requester may see it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=32)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(_("file deleted"), null=True, blank=True)  # the retention period ended

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.done / self.total) if self.total else 0


class WorkdayYear(models.Model):
    """An administrator's entry of one year's holiday schedule, overriding chinese-calendar.

    The State Council publishes each year's holidays and 调休 working weekends in late autumn;
    until the package catches up, an administrator types the year in here (core.workdays).
    Write through ``core.services.workday_year_set`` so the change is audited.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    holidays = models.JSONField(_("holidays"), default=list, blank=True,
                                help_text=_("ISO dates (YYYY-MM-DD) that are days off."))
    workdays = models.JSONField(_("adjusted working days"), default=list, blank=True,
                                help_text=_("ISO dates of weekend days that are working days (调休)."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("working-day calendar year")
        verbose_name_plural = _("working-day calendar years")

    def __str__(self) -> str:
        return str(self.year)
