from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict

from gongxin.core.audit import audit_record
from gongxin.registry.models import JurisdictionPolicy, SponsorUnit


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits are state changes like any other: each save and delete is audited."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            audit_record(actor=request.user, action=f"admin.{obj._meta.model_name}.save", obj=obj,
                         before=before, after=model_to_dict(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(actor=request.user, action=f"admin.{obj._meta.model_name}.delete", obj=obj,
                         before=model_to_dict(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(JurisdictionPolicy)
class JurisdictionPolicyAdmin(AuditedAdmin):
    list_display = ["region", "registration_time_limit", "min_members", "annual_mode", "annual_authority_deadline",
                    "rectification_time_limit", "credit_objection_days", "credit_auto_list", "authority_name"]
    autocomplete_fields = ["region"]


@admin.register(SponsorUnit)
class SponsorUnitAdmin(AuditedAdmin):
    list_display = ["name", "region"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]
