"""Member credit files of industry associations (信誉档案, seed 000 §5: 建立健全诚信执业机制 —
对会员执业状况、纳税状况、守法状况、财务管理状况以及人民群众的信誉评价等进行严格的登记管理).

Who: the users of an industry association or chamber of commerce keep their association's files
(services below); the registration officers of the association's jurisdiction and administrators
read them (selectors below). Nobody else learns they exist.

The Excel format (template, export, reading an upload) is in ``member_files_xlsx``; this module
checks an upload's rows with the same rules as the form (``values_clean``) and applies them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongxin.accounts.models import Role
from gongxin.core import uscc
from gongxin.core.audit import audit_record, audit_record_many
from gongxin.core.text import clean_identity_into
from gongxin.credit.models import MemberCreditFile, ReputationRating
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization, OrgSubtype
from gongxin.registry.selectors import officer_manages, officer_prefix, region_prefix_filter
from gongxin.registry.services import StaleEdit

ASSOCIATION_SUBTYPES = frozenset({OrgSubtype.INDUSTRY_ASSOCIATION, OrgSubtype.CHAMBER_OF_COMMERCE,
                                  OrgSubtype.OUT_OF_TOWN_CHAMBER})
TEXT_FIELDS = ["practice", "tax", "law_abidance", "financial_management", "notes"]
CONTENT_FIELDS = ["member_name", *TEXT_FIELDS[:4], "rating", "rated_on", "notes"]
# The model's TextFields have no limit; a file is a record, not a document store, and the
# printed member page must stay readable.
TEXT_LIMIT = 2000
NAME_LIMIT = MemberCreditFile._meta.get_field("member_name").max_length

SORTS = {
    "name": ("member_name", "id"), "-name": ("-member_name", "-id"),
    "rating": ("rating", "member_name", "id"), "-rating": ("-rating", "member_name", "id"),
    "rated_on": ("rated_on", "member_name", "id"), "-rated_on": ("-rated_on", "member_name", "id"),
    "-updated": ("-updated_at", "-id"),
}


def is_association(org: Organization | None) -> bool:
    return org is not None and org.subtype in ASSOCIATION_SUBTYPES


def keeper_of(actor) -> Organization | None:
    """The association whose member files the actor keeps: an organization user's own
    organization when it is an industry association or chamber of commerce; None otherwise."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role != Role.ORG_USER:
        return None
    org = actor.organization
    return org if is_association(org) else None


def _require_keeper(actor, association: Organization) -> None:
    own = keeper_of(actor)
    if own is None or own.pk != association.pk:
        raise NotAllowed(_("Only the association itself may keep its member credit files."))


def _snapshot(f: MemberCreditFile) -> dict[str, Any]:
    return {"member_uscc": f.member_uscc, **{n: getattr(f, n) for n in CONTENT_FIELDS}, "version": f.version}


# --------------------------------------------------------------------------- checks


def member_uscc_clean(code: Any) -> str:
    """The member's code, normalized. Members are mostly enterprises (codes starting with 9), but
    any valid GB 32100 code is accepted: associations also admit social organizations and public
    institutions. Region codes are not looked up: a code issued under a since-abolished district
    stays valid. The error names the check that failed."""
    if isinstance(code, float):
        # An all-digit code typed into a number cell: Excel has already rounded it to 15 digits.
        raise ValidationError({"member_uscc": _("The code was stored as a number and has lost digits; "
                                                "format the column as text and type it again.")})
    try:
        return uscc.parse(str(code or ""), civil_affairs_only=False).code
    except uscc.USCCError as exc:
        raise ValidationError({"member_uscc": str(exc)}) from None


def values_clean(data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """The content of a file as stored, checked field by field; raises ValidationError with every
    field's error at once (the form and the import report them all)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    name = clean_identity_into(errors, "member_name", data.get("member_name"))
    if not name:
        errors.setdefault("member_name", _("Enter the member's name."))
    elif len(name) > NAME_LIMIT:
        errors.setdefault("member_name", _("At most %(n)s characters.") % {"n": NAME_LIMIT})
    values["member_name"] = name
    for key in TEXT_FIELDS:
        text = str(data.get(key) or "").strip().replace("\r\n", "\n")
        if len(text) > TEXT_LIMIT:
            errors[key] = _("At most %(n)s characters (now %(len)s).") % {"n": TEXT_LIMIT, "len": len(text)}
        values[key] = text
    rating = str(data.get("rating") or "").strip().upper()
    if rating not in ReputationRating.values:
        errors["rating"] = _("Choose a rating: A, B, C or D.")
    values["rating"] = rating
    rated_on = data.get("rated_on")
    if isinstance(rated_on, dt.datetime):
        rated_on = rated_on.date()
    elif isinstance(rated_on, str):
        try:
            rated_on = dt.date.fromisoformat(rated_on.strip())
        except ValueError:
            pass
    if not isinstance(rated_on, dt.date):
        errors["rated_on"] = _("Enter the date of the rating, such as 2026-03-31.")
    elif rated_on > today:
        errors["rated_on"] = _("The rating date cannot be in the future.")
    values["rated_on"] = rated_on
    if errors:
        raise ValidationError(errors)
    return values


# --------------------------------------------------------------------------- services


@transaction.atomic
def member_file_save(*, actor, association: Organization, member_uscc: str, data: dict[str, Any],
                     expected_version: int | None = None, new: bool = False) -> MemberCreditFile:
    """Create or update the association's file on the member with ``member_uscc``. An update
    with ``expected_version`` other than the stored one is refused (StaleEdit); ``new`` refuses
    to touch an existing file (the "new file" form). Saving the same values again changes
    nothing: no new version, no audit event."""
    _require_keeper(actor, association)
    code = member_uscc_clean(member_uscc)
    values = values_clean(data)
    existing = (MemberCreditFile.objects.select_for_update()
                .filter(association=association, member_uscc=code).first())
    if existing is None:
        f = MemberCreditFile(association=association, member_uscc=code, updated_by=actor, **values)
        f.full_clean(exclude=["association", "updated_by"], validate_unique=False)
        try:
            with transaction.atomic():
                f.save(force_insert=True)
        except IntegrityError:  # created by someone else in the meantime
            raise StaleEdit(_("A file on this member was just created by someone else; open it from the list.")) \
                from None
        audit_record(actor=actor, action="credit.member_file_create", obj=f, after=_snapshot(f))
        return f
    if new:
        raise ValidationError({"member_uscc": _("This association already keeps a file on %(code)s (%(name)s); "
                                                "edit that file instead.") % {"code": code,
                                                                               "name": existing.member_name}})
    if expected_version is not None and existing.version != expected_version:
        raise StaleEdit(_("This file was changed by someone else since you opened it (now version %(v)s); "
                          "reload it and make your change again.") % {"v": existing.version})
    if all(getattr(existing, n) == v for n, v in values.items()):
        return existing
    before = _snapshot(existing)
    for n, v in values.items():
        setattr(existing, n, v)
    existing.version += 1
    existing.updated_by = actor
    existing.full_clean(exclude=["association", "updated_by"], validate_unique=False)
    existing.save(update_fields=[*values, "version", "updated_by", "updated_at"])
    audit_record(actor=actor, action="credit.member_file_update", obj=existing, before=before,
                 after=_snapshot(existing))
    return existing


@transaction.atomic
def member_file_delete(*, actor, file: MemberCreditFile, expected_version: int) -> None:
    """Delete a member's file (the page asks for confirmation). The audit event keeps its content."""
    locked = MemberCreditFile.objects.select_for_update().select_related("association").filter(pk=file.pk).first()
    if locked is None:
        raise StaleEdit(_("This file has already been deleted."))
    _require_keeper(actor, locked.association)
    if locked.version != expected_version:
        raise StaleEdit(_("This file was changed by someone else since you opened it (now version %(v)s); "
                          "look at it again before deleting it.") % {"v": locked.version})
    before = _snapshot(locked)
    audit_record(actor=actor, action="credit.member_file_delete", obj=locked, before=before)
    locked.delete()


# --------------------------------------------------------------------------- Excel import


@dataclass(frozen=True)
class RowProblem:
    row: int  # as Excel numbers it
    column: str  # the column's header, translated
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, %(column)s: %(message)s") % {"row": self.row, "column": self.column,
                                                             "message": self.message}


class ImportRefused(ValidationError):
    """The upload was not applied: the file itself is refused (``problems`` empty) or rows have
    errors (every one in ``problems``). Nothing was saved."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    created_names: list[str] = field(default_factory=list)


def import_check(rows, *, today: dt.date | None = None) -> tuple[list[tuple[int, str, dict]], list[RowProblem]]:
    """Check every data row (``(row number, {column key: cell})``) with the form's rules; returns
    the clean rows ``(row, member USCC, values)`` and every problem found, duplicates included."""
    from gongxin.credit.member_files_xlsx import column_index, column_label

    today = today or timezone.localdate()
    clean, problems, first_row = [], [], {}
    for number, cells in rows:
        errors: dict[str, str] = {}
        code = None
        try:
            code = member_uscc_clean(cells.get("member_uscc"))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        values = None
        try:
            values = values_clean(cells, today=today)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if code is not None:
            if code in first_row:
                errors["member_uscc"] = _("%(code)s appears twice in the file, in rows %(first)s and %(row)s; "
                                          "keep one of them.") % {"code": code, "first": first_row[code],
                                                                  "row": number}
            else:
                first_row[code] = number
        for key in sorted(errors, key=column_index):  # in the order of the file's columns
            problems.append(RowProblem(number, column_label(key), errors[key]))
        if not errors:
            clean.append((number, code, values))
    return clean, problems


@transaction.atomic
def member_files_import(*, actor, association: Organization, upload) -> ImportResult:
    """Apply an Excel upload of member files: the file is refused or every row is checked first,
    and one bad row means nothing is saved (ImportRefused lists every problem). Otherwise all rows
    are created or updated by member USCC in this one transaction; rows equal to the stored file
    change nothing, so importing the same file again has no effect."""
    from gongxin.credit.member_files_xlsx import read_upload

    _require_keeper(actor, association)
    rows = read_upload(upload)  # raises ImportRefused for a file that is not a usable workbook
    if not rows:
        raise ImportRefused(_("The file has no data rows under the header; fill in one row per member."))
    clean, problems = import_check(rows)
    if problems:
        raise ImportRefused(ngettext("Nothing was imported: %(n)s problem found. Correct it in the file and upload "
                                     "it again.",
                                     "Nothing was imported: %(n)s problems found. Correct them in the file and "
                                     "upload it again.", len(problems)) % {"n": len(problems)}, problems)
    existing = {f.member_uscc: f for f in
                MemberCreditFile.objects.select_for_update().filter(association=association,
                                                                     member_uscc__in=[c for _n, c, _v in clean])}
    now = timezone.now()
    result = ImportResult(rows=len(clean))
    creates, updates = [], []
    for _number, code, values in clean:
        f = existing.get(code)
        if f is None:
            creates.append(MemberCreditFile(association=association, member_uscc=code, updated_by=actor,
                                            updated_at=now, **values))
            continue
        if all(getattr(f, n) == v for n, v in values.items()):
            result.unchanged += 1
            continue
        before = _snapshot(f)
        for n, v in values.items():
            setattr(f, n, v)
        f.version += 1
        f.updated_by, f.updated_at = actor, now
        updates.append((f, before))
    # Bulk writes: an association's roster can run to thousands of members, and a row-by-row
    # save would be two queries a row plus one audit append each.
    MemberCreditFile.objects.bulk_create(creates, batch_size=500)
    MemberCreditFile.objects.bulk_update([f for f, _b in updates], [*CONTENT_FIELDS, "version", "updated_by",
                                                                    "updated_at"], batch_size=500)
    audit_record_many(actor=actor, action="credit.member_file_create",
                      items=[(f, None, _snapshot(f)) for f in creates])
    audit_record_many(actor=actor, action="credit.member_file_update",
                      items=[(f, before, _snapshot(f)) for f, before in updates])
    result.created, result.updated = len(creates), len(updates)
    return result


# --------------------------------------------------------------------------- selectors


def files_visible(actor) -> QuerySet[MemberCreditFile]:
    """The files an actor may read: an association's users their own association's; officers
    those of the associations registered in their jurisdiction; administrators all."""
    qs = MemberCreditFile.objects.select_related("association")
    own = keeper_of(actor)
    if own is not None:
        return qs.filter(association=own)
    prefix = officer_prefix(actor)
    if prefix is None:
        return qs.none()
    return qs.filter(region_prefix_filter("association__region_prefix", prefix))


def file_get(*, actor, pk: int) -> MemberCreditFile:
    f = files_visible(actor).filter(pk=pk).first()
    if f is None:
        raise Http404("No such member credit file.")
    return f


def files_search(qs: QuerySet[MemberCreditFile], *, q: str = "", rating: str = "",
                 sort: str = "name") -> QuerySet[MemberCreditFile]:
    """Filter by member name (contains) or USCC (prefix, normalized) and by rating, then sort."""
    q = " ".join(q.split())
    if q:
        code = uscc.normalize(q)
        qs = qs.filter(Q(member_name__contains=q) | Q(member_uscc__startswith=code))
    if rating in ReputationRating.values:
        qs = qs.filter(rating=rating)
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


def rating_counts(qs: QuerySet[MemberCreditFile]) -> dict[str, int]:
    """{"A": n, …, "total": n} in one query."""
    counts = qs.order_by().aggregate(total=Count("id"), **{r: Count("id", filter=Q(rating=r))
                                                           for r in ReputationRating.values})
    return counts


def association_get(*, actor, uscc_code: str) -> Organization:
    """An association whose files an officer may read (their jurisdiction); 404 otherwise."""
    org = Organization.objects.filter(uscc=uscc.normalize(uscc_code)).first()
    if org is None or not is_association(org) or not officer_manages(actor, org.region_prefix):
        raise Http404("No such association.")
    return org


def associations_keeping_files(*, actor, q: str = "", sort: str = "name") -> QuerySet[Organization]:
    """The officer's overview: associations in their jurisdiction that keep member files, with
    the number of files in total and by rating."""
    prefix = officer_prefix(actor)
    if prefix is None:
        return Organization.objects.none()
    qs = (Organization.objects.filter(region_prefix_filter("region_prefix", prefix),
                                      subtype__in=ASSOCIATION_SUBTYPES)
          .annotate(files_total=Count("member_credit_files"),
                    **{f"files_{r}": Count("member_credit_files", filter=Q(member_credit_files__rating=r))
                       for r in ReputationRating.values})
          .filter(files_total__gt=0))
    q = " ".join(q.split())
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc__startswith=uscc.normalize(q)))
    order = {"name": ("name", "id"), "-files": ("-files_total", "name", "id"),
             "-D": ("-files_D", "name", "id")}.get(sort, ("name", "id"))
    return qs.order_by(*order)
