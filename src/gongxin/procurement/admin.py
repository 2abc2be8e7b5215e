"""Procurement reference data in the admin: departments and indicator sets are edited here
(audited); catalogues, projects and their steps change only through the services and pages, so
they are read-only here."""

from django.contrib import admin

from gongxin.credit.admin import ReadOnlyAdmin
from gongxin.procurement.models import Catalogue, Department, IndicatorSet, OcdsRelease, PurchaseProject
from gongxin.registry.admin import AuditedAdmin


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "region", "uscc"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["region"]
    exclude = ["region_prefix"]


@admin.register(IndicatorSet)
class IndicatorSetAdmin(AuditedAdmin):
    list_display = ["name", "region", "is_active"]
    autocomplete_fields = ["region"]


@admin.register(Catalogue)
class CatalogueAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "region", "year", "batch", "status", "published_on"]
    list_filter = ["kind", "status"]


@admin.register(PurchaseProject)
class PurchaseProjectAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "year", "budget", "method", "status"]
    list_filter = ["status", "method", "year"]
    search_fields = ["title", "ocid"]
    list_select_related = ["department"]


@admin.register(OcdsRelease)
class OcdsReleaseAdmin(ReadOnlyAdmin):
    list_display = ["release_id", "date", "tags"]
    search_fields = ["ocid", "release_id"]
