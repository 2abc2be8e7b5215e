"""The public profile's sections (core.sections) in the order of the national credit
platform's profile, one provider per section from the app that owns the facts; the profile
page and ``/api/v1/orgs/{uscc}`` (and its ``/sections/{key}`` pages) both read them here.

The registry's own section is the change registrations. The composition below reaches into
the apps above the registry (late imports); the architecture's portal app takes it over."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _

from gongxin.core.sections import Section, paged, parent_key
from gongxin.registry.models import Organization, OrganizationChange


def change_record(row: OrganizationChange) -> dict:
    return {"item": row.item, "item_label": str(row.get_item_display()), "before": row.before, "after": row.after,
            "changed_on": row.changed_on.isoformat()}


def changes_section(org: Organization, pages: Mapping[str, int] | None = None) -> Section:
    """Change registrations, newest first (the profile's selector prefetches them)."""
    changes = sorted(org.changes.all(), key=lambda c: (c.changed_on, c.pk), reverse=True)
    rows, total, page = paged(changes, (pages or {}).get("changes", 1))
    return Section("changes", _("Change registrations"), "registry/profile_changes.html", rows, total, page,
                   record=change_record)


def providers() -> dict[str, Callable[..., Section]]:
    """Section key -> the function producing it, in the profile's order."""
    from gongxin.annual.profile import annual_section
    from gongxin.credit import profile as credit
    from gongxin.evaluation.profile import grades_section
    from gongxin.procurement.profile import purchases_section

    return {"annual": annual_section, "evaluation": grades_section, "penalties": credit.penalties_section,
            "abnormal": credit.abnormal_section, "dishonest": credit.dishonest_section,
            "commendations": credit.commendations_section, "purchases": purchases_section,
            "commitments": credit.commitments_section, "credit_information": credit.credit_information_section,
            "changes": changes_section}


def profile_sections(org: Organization, pages: Mapping[str, int] | None = None) -> list[Section]:
    """Every section of ``org``'s profile at the pages asked for (page 1 elsewhere)."""
    return [provider(org, pages or {}) for provider in providers().values()]


class UnknownSection(LookupError):
    pass


def profile_section(org: Organization, key: str, page: int = 1) -> Section:
    """One section, or one part of a section (``credit_information-other``), at ``page``."""
    parent = parent_key(key)
    provider = providers().get(parent)
    if provider is None:
        raise UnknownSection(key)
    section = provider(org, {key: page})
    if key == parent:
        return section
    for part in section.parts:
        if part.key == key:
            return part
    raise UnknownSection(key)
