"""The evaluation module's section of the public profile (core.sections): the grades, the one
in force first; and the grade records an officer entered or imported from elsewhere (credit
records of kind evaluation_grade the module did not write from its own grades)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from gongxin.core.sections import Section, paged
from gongxin.credit.models import RecordKind
from gongxin.credit.profile import records_part
from gongxin.evaluation.models import Evaluation
from gongxin.evaluation.selectors import profile_grades
from gongxin.evaluation.services import CREDIT_KEY_PREFIX


def grade_record(row: Evaluation) -> dict:
    return {"grade": row.get_grade_display(), "decided_on": row.decided_on.isoformat(),
            "valid_until": row.valid_until.isoformat(), "state": row.state, "deciding_body": row.deciding_body,
            "certificate_number": row.certificate_number}


def grades_section(org, pages: Mapping[str, int] | None = None) -> Section:
    """Every grade decided by today, the one in force first (evaluation.selectors.profile_grades:
    an organization is graded every few years, so its grades are read at once and paged after)."""
    pages = pages or {}
    rows, total, page = paged(profile_grades(org), pages.get("evaluation", 1))
    recorded = records_part(org, "evaluation-records", _("Grades recorded from other sources"),
                            [RecordKind.EVALUATION_GRADE], not_from=CREDIT_KEY_PREFIX, pages=pages)
    return Section("evaluation", _("Evaluation grade"), "evaluation/includes/profile_section.html", rows, total, page,
                   record=grade_record, parts=[recorded])
