"""Read-only admin for grades: changes go through evaluation.services (audited, with the credit
record), so the admin only looks."""

from django.contrib import admin

from gongxin.evaluation.models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["organization", "grade", "decided_on", "valid_until", "deciding_body", "cancelled_on"]
    list_filter = ["grade"]
    search_fields = ["organization__name", "organization__uscc", "certificate_number"]
    date_hierarchy = "decided_on"
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "recorded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
