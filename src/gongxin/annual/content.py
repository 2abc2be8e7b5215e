"""The checklists of the annual work report (domain-rules.md §3, DESIGN.md glossary)."""

from django.utils.translation import gettext_lazy as _

# 八有: what a social organization's Party organization should have.
EIGHT_HAVES = [
    ("organization", _("A Party organization set up")),
    ("venue", _("A place for activities")),
    ("rules", _("Working rules")),
    ("members", _("Party members registered")),
    ("funding", _("Funding for activities")),
    ("activities", _("Regular activities")),
    ("records", _("Work records")),
    ("brand", _("A Party-building brand")),
]

# 六个好: the standards of a model Party organization.
SIX_GOODS = [
    ("leadership", _("Good leadership team")),
    ("members", _("Good Party member team")),
    ("mechanism", _("Good working mechanism")),
    ("performance", _("Good work performance")),
    ("role", _("Good role in the organization's development")),
    ("reputation", _("Good reputation among members and the public")),
]

# 五自四无: industry associations and chambers of commerce (decoupling reform).
SELF_GOVERNANCE = [
    ("self_initiated", _("Self-initiated")),
    ("self_elected_president", _("President self-elected")),
    ("self_funded", _("Self-funded")),
    ("self_hired_staff", _("Staff self-hired")),
    ("self_run", _("Affairs self-run")),
    ("no_admin_rank", _("No administrative rank")),
    ("no_civil_service_posts", _("No civil-service posts")),
    ("no_admin_supervisor", _("No administrative supervising department")),
    ("no_serving_officials", _("No serving officials holding posts")),
]
