"""The officer's grade list as an Excel file, written by the task worker (core.exports).
``evaluation.apps.EvaluationConfig.ready`` imports this module so the worker knows it."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.core.exports import ExportData, exporter
from gongxin.evaluation.selectors import STATES, GradeFilters, QueryTooShort, officer_grades, state_of
from gongxin.registry.models import authority_name


@exporter("evaluation_grades", title=gettext_lazy("Evaluation grades"))
def grades_export(actor, params: dict) -> ExportData:
    filters = GradeFilters.from_query(params)
    today = timezone.localdate()
    try:
        qs = officer_grades(actor, filters, today)
    except QueryTooShort:
        filters.q = ""
        qs = officer_grades(actor, filters, today)
    qs = qs.select_related("organization__registration_authority")
    headers = [_("Name"), _("Unified social credit code"), _("Registration authority"), _("Grade"), _("Decided on"),
               _("Valid until"), _("Deciding body"), _("Certificate number"), _("State"), _("Reason for cancellation")]

    def rows():
        for e in qs.iterator(chunk_size=2000):
            org = e.organization
            state = state_of(e, today)
            yield [org.name, org.uscc, authority_name(org.registration_authority), e.get_grade_display(),
                   e.decided_on.isoformat(), e.valid_until.isoformat(), e.deciding_body, e.certificate_number,
                   str(STATES.get(state, "")), e.cancelled_reason]

    return ExportData(headers=[str(h) for h in headers], total=qs.count(), rows=rows(),
                      sheet=str(_("Evaluation grades")))
