from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from gongxin.core.models import Region, WorkdayYear
from gongxin.core.services import workday_year_clean, workday_year_set


class WorkdayYearForm(forms.ModelForm):
    class Meta:
        model = WorkdayYear
        fields = ["year", "holidays", "workdays", "note"]

    def clean(self):
        data = super().clean()
        year = data.get("year") or (self.instance.year if self.instance.pk else None)
        if year and "holidays" in data and "workdays" in data:
            try:
                data["holidays"], data["workdays"] = workday_year_clean(
                    year=year, holidays=data["holidays"] or [], workdays=data["workdays"] or [])
            except ValidationError as e:
                self.add_error(None, e)
        return data


@admin.register(WorkdayYear)
class WorkdayYearAdmin(admin.ModelAdmin):
    form = WorkdayYearForm
    list_display = ["year", "entered_by", "entered_at"]

    def get_readonly_fields(self, request, obj=None):
        # The year is the key: changing it would silently create another year's entry.
        return ("year", "entered_by", "entered_at") if obj else ("entered_by", "entered_at")

    def save_model(self, request, obj, form, change):
        # Through the service, so an administrator's entry is validated and audited.
        saved = workday_year_set(actor=request.user, year=obj.year, holidays=obj.holidays,
                                 workdays=obj.workdays, note=obj.note)
        obj.entered_by, obj.entered_at = saved.entered_by, saved.entered_at

    def has_delete_permission(self, request, obj=None):
        # Deleting is not an audited operation; an entry is corrected by saving it again.
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """GB/T 2260 regions are reference data loaded by a migration: searchable, read-only here."""

    list_display = ["code", "name", "level"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
