"""Credit data in the admin: read-only. Penalties, listings and removals change only through
the services (and their pages), which check scope, follow the procedure and audit."""

from django.contrib import admin

from gongxin.credit.models import (
    BannedOrganization,
    CreditRecord,
    CreditRun,
    ListEntry,
    ListingGround,
    Penalty,
    PersonBadRecord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Penalty)
class PenaltyAdmin(ReadOnlyAdmin):
    list_display = ["decision_number", "organization", "kind", "amount", "decided_on", "deciding_body"]
    list_filter = ["kind"]
    search_fields = ["decision_number", "organization__name", "organization__uscc"]
    list_select_related = ["organization"]


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "kind", "occurred_on", "resolved_on", "is_public"]
    list_filter = ["kind", "category"]
    search_fields = ["title", "organization__name", "organization__uscc"]
    list_select_related = ["organization"]


class GroundInline(admin.TabularInline):
    model = ListingGround
    fields = ["ground", "evidence_key", "facts", "applies_from", "needs_rectification", "cured_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ["organization", "list", "status", "noticed_on", "listed_on", "removed_on", "removal_kind"]
    list_filter = ["list", "status", "removal_kind"]
    search_fields = ["organization__name", "organization__uscc"]
    list_select_related = ["organization"]
    inlines = [GroundInline]


@admin.register(CreditRun)
class CreditRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "today", "scope", "counts"]


@admin.register(BannedOrganization)
class BannedOrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "decision_number", "banned_on", "region"]
    search_fields = ["name", "decision_number"]


@admin.register(PersonBadRecord)
class PersonBadRecordAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "organization", "reason", "recorded_on"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]
