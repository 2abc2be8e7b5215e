"""Open Contracting Data Standard 1.1 releases of purchase projects (docs/ocds.md).

Every step of a project (publicity, award, contract, implementation, cancellation…) appends
an ``OcdsRelease``: a complete snapshot of the project at that moment, tagged with the step.
The change feed, the record packages and the bulk download read those rows, so history is
never recomputed from today's state (a corrected award shows as an ``awardUpdate`` release,
the original award release stays as it was published).

Only fields of the 1.1.5 release schema are used (no extensions), so libcoveocds validates the
packages with zero errors against the offline schema zip (``standard_zip_path``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from gongxin.core.site import site_url

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
LANGUAGE = "zh"
USCC_SCHEME = "CN-USCC"
# The national guiding catalogue of purchasable services (政府购买服务目录): not in OCDS's open
# itemClassificationScheme codelist, so libcoveocds lists it as an additional open codelist
# value (information, not an error).
CATEGORY_SCHEME = "CN-GMFW"
TAGS = ("planning", "tender", "tenderUpdate", "tenderCancellation", "award", "awardUpdate", "awardCancellation",
        "contract", "contractUpdate", "implementation", "implementationUpdate", "contractTermination")

# Our methods on OCDS's closed method codelist; the Chinese name goes in procurementMethodDetails.
# 项目申请 is a public call for applications (anyone eligible applies: open); 竞争性磋商 and 项目发包
# invite a few suppliers of the department's choice (limited); 委托管理 entrusts one
# organization without competition (direct).
METHODS = {
    "public_tender": ("open", "公开招标"),
    "project_application": ("open", "项目申请"),
    "competitive_consultation": ("limited", "竞争性磋商"),
    "project_contracting": ("limited", "项目发包"),
    "entrusted_management": ("direct", "委托管理"),
}
TENDER_STATUS = {"draft": "planning", "publicized": "active", "awarded": "complete", "contracted": "complete",
                 "completed": "complete", "evaluated": "complete", "cancelled": "cancelled",
                 "unsuccessful": "unsuccessful"}
MILESTONE_STATUS = {"pending": "scheduled", "met": "met", "missed": "notMet"}
RATINGS = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
DOCUMENT_TYPES = {"tender": "biddingDocuments", "contract": "contractSigned", "report": "physicalProgressReport",
                  "evaluation": "finalAudit"}
CHUNK = 2000  # projects per backfill batch (a transaction each): bounded memory, few queries and commits


# --- Identifiers, dates, amounts ----------------------------------------------------------------


def ocid_for(project) -> str:
    """The project's Open Contracting ID: the publisher's registered prefix and the project id
    (the project service stores it on creation)."""
    return f"{settings.OCDS_PREFIX}-{project.pk}"


def _ocid(project) -> str:
    return project.ocid or ocid_for(project)


def _tz():
    return timezone.get_default_timezone()


def _aware(when) -> dt.datetime:
    """A release date: a datetime (made aware in Asia/Shanghai when naive) or a day (its
    start, local time)."""
    if when is None:
        return timezone.now()
    if isinstance(when, dt.datetime):
        return when if timezone.is_aware(when) else timezone.make_aware(when, _tz())
    return dt.datetime.combine(when, dt.time(0, 0), tzinfo=_tz())


def iso(when) -> str:
    """ISO 8601 with the +08:00 offset (the publisher's local time)."""
    if type(when) is dt.date:  # not a datetime (a subclass of date)
        return _iso_day(when, _tz())
    return _aware(when).astimezone(_tz()).isoformat(timespec="seconds")


# The same few thousand days and amounts come back in every release of a backfill (periods,
# milestones, values, in each step's snapshot): formatting each once is a measurable share of
# the backfill. Keyed by the time zone too, so a changed TIME_ZONE is never served stale.
@functools.lru_cache(maxsize=16384)
def _iso_day(day: dt.date, tz) -> str:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=16384)
def _day_end_in(day: dt.date, tz) -> str:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz).isoformat(timespec="seconds")


def _day_end(day: dt.date) -> str:
    return _day_end_in(day, _tz())


def _local_day(when: dt.datetime) -> dt.date:
    return when.astimezone(_tz()).date()


@functools.lru_cache(maxsize=16384, typed=True)
def _amount(value) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))


def _value(amount) -> dict:
    return {"amount": _amount(amount), "currency": CURRENCY}


def _drop_empty(d: dict) -> dict:
    """OCDS asks publishers to omit empty fields rather than publish "" or []."""
    return {k: v for k, v in d.items() if v not in ("", None, [], {})}


def _related(obj, name):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


# --- Parties ---------------------------------------------------------------------------------------
# A party is kept without its roles (a release adds the roles it plays there), so the backfill
# builds each organization's once and every release copies it.


def _org_party_id(uscc: str, fallback: str) -> str:
    return f"{USCC_SCHEME}-{uscc}" if uscc else fallback


def _buyer_party(pk: int, name: str, uscc: str, region: str) -> dict:
    return _drop_empty({
        "id": _org_party_id(uscc, f"{settings.OCDS_PREFIX}-department-{pk}"),
        "name": name,
        "identifier": _drop_empty({"scheme": USCC_SCHEME, "id": uscc, "legalName": name}) if uscc else None,
        "address": _drop_empty({"region": region, "countryName": "中国"}),
    })


def _organization_party(pk: int, name: str, uscc: str, address: str) -> dict:
    return _drop_empty({
        "id": _org_party_id(uscc, f"{settings.OCDS_PREFIX}-org-{pk}"),
        "name": name,
        "identifier": {"scheme": USCC_SCHEME, "id": uscc, "legalName": name},
        "address": _drop_empty({"streetAddress": address, "countryName": "中国"}),
    })


def _ref(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


# --- What a release says about a project -----------------------------------------------------------

# The project's own fields that a release reads; a model instance has them, and so has a row
# of the backfill (``_ProjectRow``).
_PROJECT_FIELDS = ("pk", "ocid", "status", "title", "description", "year", "budget", "method", "require_qualified",
                   "min_grade", "requirements", "publicized_on", "procurement_starts_on", "bid_deadline",
                   "service_starts_on", "service_ends_on", "awarded_on", "awarded_supplier_name",
                   "awarded_supplier_id", "awarded_amount", "award_reason", "completed_on", "cancelled_reason",
                   "updated_at")
_ProjectRow = namedtuple("_ProjectRow", _PROJECT_FIELDS)
# Related rows, with the attribute names of their models (so either serves).
_ContractRow = namedtuple("_ContractRow", "pk number signed_on amount starts_on ends_on")
_EvaluationRow = namedtuple("_EvaluationRow", "status evaluated_on evaluator_id total rating comments")
_MilestoneRow = namedtuple("_MilestoneRow", "pk title due_on payment status done_on")
_ReportRow = namedtuple("_ReportRow", "pk author reported_on progress content")
_DocumentRow = namedtuple("_DocumentRow", "pk kind is_public bid_id uploaded_at title")


@dataclass(slots=True, eq=False)
class _Facts:
    """Everything the releases of one project say, read once: from the model instance and its
    relations (``_facts``: a live publish) or from plain rows (``_facts_chunk``: the backfill,
    no model instance per row). Releases are built from these alone (``_snapshot``), so both
    paths give the same release."""

    project: object  # the model instance or a _ProjectRow
    buyer: dict  # party, without roles
    service: tuple[str, str] | None  # (name, code)
    category: tuple[str, str] | None  # (code, name)
    function: str | None  # its name
    supplier_org: dict | None  # the registered organization awarded, as a party without roles
    contract: object | None
    evaluation: object | None
    bids: list[tuple[str, dt.date, dict]]  # (status, local day submitted, party without roles)
    milestones: list
    reports: list
    documents: list
    static: dict | None = None  # what no step changes, built on first use (_static)


def _facts(project) -> _Facts:
    """The facts of a model instance (its relations as prefetched, or read now)."""
    dept = project.department
    org = project.awarded_organization
    bids = project.bids.all()
    if "bids" not in getattr(project, "_prefetched_objects_cache", {}):
        bids = bids.select_related("organization")  # one query, not one per applicant
    return _Facts(
        project=project,
        buyer=_buyer_party(dept.pk, dept.name, dept.uscc, dept.region.name if dept.region_id else ""),
        service=(project.service.name, project.service.code) if project.service_id else None,
        category=(project.category_id, project.category.name) if project.category_id else None,
        function=project.function.name if project.function_id else None,
        supplier_org=_organization_party(org.pk, org.name, org.uscc, org.address) if org is not None else None,
        contract=_related(project, "contract"),
        evaluation=_related(project, "evaluation"),
        bids=[(b.status, _local_day(b.submitted_at),
               _organization_party(b.organization.pk, b.organization.name, b.organization.uscc, b.organization.address))
              for b in bids],
        milestones=list(project.milestones.all()),
        reports=list(project.tracking_reports.all()),
        documents=list(project.documents.all()),
    )


def _document_url(project_pk: int, doc_pk: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:  # the public disclosure page's download of a public document
        return base_url() + reverse("procurement:public_document", args=[project_pk, doc_pk])
    except NoReverseMatch:
        return ""


def _documents(f: _Facts, kinds: set[str], as_of: dt.date | None) -> list[dict]:
    docs = []
    for doc in f.documents:
        if doc.kind not in kinds or not doc.is_public or doc.bid_id:
            continue
        if as_of and _local_day(doc.uploaded_at) > as_of:
            continue
        docs.append(_drop_empty({
            "id": f"doc-{doc.pk}", "documentType": DOCUMENT_TYPES[doc.kind], "title": doc.title,
            "url": _document_url(f.project.pk, doc.pk), "datePublished": iso(doc.uploaded_at), "language": LANGUAGE,
        }))
    return docs


def _eligibility_text(project) -> str:
    parts = ["未被列入严重违法失信名单或活动异常名录"]
    if project.require_qualified:
        parts.append("已列入承接政府职能转移和购买服务资质目录")
    if project.min_grade:
        parts.append(f"社会组织评估等级{project.min_grade}A及以上")
    text = "；".join(parts) + "。"
    return f"{text}{project.requirements.strip()}" if project.requirements.strip() else text


def _milestone(m, as_of: dt.date | None) -> dict:
    status = MILESTONE_STATUS[m.status]
    done = m.done_on
    if as_of and done and done > as_of:  # not reached yet at the snapshot's date
        status, done = "scheduled", None
    description = f"付款 {_amount(m.payment):,.2f} 元" if m.payment is not None else ""
    return _drop_empty({
        "id": f"milestone-{m.pk}", "title": m.title, "type": "payment" if m.payment is not None else "delivery",
        "description": description, "dueDate": _day_end(m.due_on),
        "dateMet": iso(done) if status == "met" and done else None, "status": status,
    })


def _milestones(f: _Facts, as_of: dt.date | None) -> list[dict]:
    """The contract's milestones at ``as_of``: each has two possible states (reached or not
    yet), built once per project (the backfill asks again at every later step)."""
    built = f.static.setdefault("milestones", {})
    out = []
    for m in f.milestones:
        key = (m.pk, bool(as_of and m.done_on and m.done_on > as_of))
        milestone = built.get(key)
        if milestone is None:
            milestone = built[key] = _milestone(m, as_of)
        out.append(milestone)
    return out


def _evaluation_milestone(ev, as_of: dt.date | None) -> dict | None:
    if ev is None:
        return None
    submitted = ev.status == "submitted" and ev.evaluated_on and not (as_of and ev.evaluated_on > as_of)
    if not submitted:
        return {"id": "performance-evaluation", "title": "绩效评价", "type": "assessment", "status": "scheduled",
                "description": "项目完成后的绩效评价" + ("（第三方评价）" if ev.evaluator_id else "")}
    text = f"绩效评价总分 {_amount(ev.total):.2f}，等级：{RATINGS.get(ev.rating, ev.rating)}。"
    if ev.comments.strip():
        text += ev.comments.strip()
    return {"id": "performance-evaluation", "title": "绩效评价", "type": "assessment", "status": "met",
            "description": text, "dateMet": iso(ev.evaluated_on)}


def _tracking_documents(f: _Facts, as_of: dt.date | None) -> list[dict]:
    out = []
    for r in f.reports:
        if as_of and r.reported_on > as_of:
            continue
        who = "承接主体" if r.author == "organization" else "购买主体"
        out.append({"id": f"report-{r.pk}", "documentType": "physicalProgressReport",
                    "title": f"跟踪报告（{who}，{r.reported_on.isoformat()}）",
                    "description": f"进度 {r.progress}%：{r.content}", "datePublished": iso(r.reported_on),
                    "language": LANGUAGE})
    return out


def _static(f: _Facts) -> dict:
    """The parts of the project's releases that no step changes (its plan, its tender's terms,
    the award and the contract as awarded and signed), in the order ``_snapshot`` puts them.

    A backfill builds them once per project and every step's release reuses them; they are
    serialized before anything could change them."""
    project = f.project
    ocid = _ocid(project)
    name = f.service[0] if f.service else ""
    s = {
        "ocid": ocid,
        "planning": _drop_empty({
            "rationale": project.description,
            "budget": _drop_empty({
                "id": f"{ocid}-budget", "description": f"{project.year}年度政府购买服务预算",
                "amount": _value(project.budget), "project": name, "projectID": f.service[1] if f.service else "",
            }),
        }),
        "tender_head": _drop_empty({"id": f"{ocid}-tender", "title": project.title, "description": project.description}),
    }
    item = _drop_empty({
        "id": "1",
        "description": name if f.service else project.title,
        "classification": _drop_empty({"scheme": CATEGORY_SCHEME, "id": f.category[0], "description": f.category[1]})
        if f.category else None,
    })
    method, method_zh = METHODS.get(project.method, ("open", project.method))
    s["tender_body"] = _drop_empty({
        "procuringEntity": _ref(f.buyer),
        "items": [item],
        "value": _value(project.budget),
        "procurementMethod": method,
        "procurementMethodDetails": method_zh,
        "mainProcurementCategory": "services",
        # The 15-day publicity (公示) before procurement is the enquiry period: questions and
        # objections are taken while it runs.
        "enquiryPeriod": {"startDate": iso(project.publicized_on), "endDate": iso(project.procurement_starts_on)}
        if project.publicized_on else None,
        "tenderPeriod": {"startDate": iso(project.procurement_starts_on), "endDate": _day_end(project.bid_deadline)},
        "contractPeriod": {"startDate": iso(project.service_starts_on), "endDate": _day_end(project.service_ends_on)},
        "eligibilityCriteria": _eligibility_text(project),
    })
    s["function_rationale"] = f"承接政府转移职能：{f.function}" if f.function is not None else None
    if project.awarded_on and project.awarded_supplier_name:
        if f.supplier_org is not None:
            supplier = f.supplier_org
        else:  # recorded from history: a supplier that is not a registered organization
            supplier = _drop_empty({
                "id": _org_party_id(project.awarded_supplier_id, f"{ocid}-supplier"),
                "name": project.awarded_supplier_name,
                "identifier": {"scheme": USCC_SCHEME, "id": project.awarded_supplier_id,
                               "legalName": project.awarded_supplier_name} if project.awarded_supplier_id else None,
            })
        s["supplier"] = supplier
        s["award_head"] = _drop_empty({"id": f"{ocid}-award-1", "title": f"{project.title} 成交结果",
                                       "description": project.award_reason})
        s["award_tail"] = {
            "date": iso(project.awarded_on), "value": _value(project.awarded_amount), "suppliers": [_ref(supplier)],
            "contractPeriod": {"startDate": iso(project.service_starts_on), "endDate": _day_end(project.service_ends_on)},
        }
    contract = f.contract
    if contract is not None:
        s["contract_head"] = {"id": f"{ocid}-contract-{contract.pk}", "awardID": f"{ocid}-award-1",
                              "title": f"{project.title} 合同（{contract.number}）"}
        s["contract_tail"] = {"period": {"startDate": iso(contract.starts_on), "endDate": _day_end(contract.ends_on)},
                              "value": _value(contract.amount), "dateSigned": iso(contract.signed_on)}
    f.static = s
    return s


def _snapshot(f: _Facts, *, as_of: dt.date | None = None, final: bool = True) -> dict:
    """The release body (everything but ocid/id/date/tag) of the project of ``f``.

    ``as_of`` (backfill) leaves out what happened after that day (an award, a signature, a met
    milestone, a report); ``final`` says whether the project's terminal status (cancelled,
    unsuccessful) already applies. A live publish uses the project as it is now."""
    project = f.project
    s = f.static if f.static is not None else _static(f)
    status = project.status
    awarded_on = project.awarded_on
    has_award = bool(awarded_on and project.awarded_supplier_name and not (as_of and awarded_on > as_of))
    contract = f.contract
    if contract is not None and (not has_award or (as_of and contract.signed_on > as_of)):
        contract = None
    completed = bool(project.completed_on and contract and not (as_of and project.completed_on > as_of))
    terminal = status in ("cancelled", "unsuccessful") and final
    if terminal:
        tender_status = status
    elif has_award:
        tender_status = "complete"
    else:
        tender_status = "active"

    buyer = {**f.buyer, "roles": ["buyer", "procuringEntity"]}
    parties: dict[str, dict] = {buyer["id"]: buyer}

    def add_party(party: dict, role: str) -> dict:
        have = parties.get(party["id"])
        if have is None:
            have = parties[party["id"]] = {**party, "roles": [role]}
        elif role not in have["roles"]:
            have["roles"] = [*have["roles"], role]
        return have

    tenderers = []
    for bid_status, submitted_on, party in f.bids:
        if bid_status == "withdrawn" or (as_of and submitted_on > as_of):
            continue
        tenderers.append(_ref(add_party(party, "tenderer")))

    tender = {**s["tender_head"], "status": tender_status, **s["tender_body"], "numberOfTenderers": len(tenderers)}
    if tenderers:
        tender["tenderers"] = tenderers
    documents = _documents(f, {"tender"}, as_of) if f.documents else []
    if documents:
        tender["documents"] = documents
    if s["function_rationale"] is not None:
        tender["procurementMethodRationale"] = s["function_rationale"]
    if terminal and project.cancelled_reason.strip():
        tender["procurementMethodRationale"] = (
            tender.get("procurementMethodRationale", "") + ("；" if "procurementMethodRationale" in tender else "")
            + f"{'终止' if status == 'cancelled' else '未成交'}原因：{project.cancelled_reason.strip()}")

    release = {"parties": [], "buyer": _ref(f.buyer), "planning": s["planning"], "tender": tender}
    if has_award:
        add_party(s["supplier"], "supplier")
        award_status = "cancelled" if terminal and status == "cancelled" else "active"
        release["awards"] = [{**s["award_head"], "status": award_status, **s["award_tail"]}]
        if contract is not None:
            if terminal and status == "cancelled":
                contract_status = "cancelled"
            else:
                contract_status = "terminated" if completed else "active"
            milestones = _milestones(f, as_of)
            evaluation = _evaluation_milestone(f.evaluation, as_of) if completed else None
            if evaluation:
                milestones.append(evaluation)
            if completed:
                milestones.append({"id": "completion", "title": "服务完成", "type": "delivery", "status": "met",
                                   "dateMet": iso(project.completed_on)})
            docs = _tracking_documents(f, as_of) + (_documents(f, {"report", "evaluation"}, as_of)
                                                    if f.documents else [])
            signed = {**s["contract_head"], "status": contract_status, **s["contract_tail"]}
            contract_documents = _documents(f, {"contract"}, as_of) if f.documents else []
            if contract_documents:
                signed["documents"] = contract_documents
            implementation = _drop_empty({"milestones": milestones, "documents": docs})
            if implementation:
                signed["implementation"] = implementation
            release["contracts"] = [signed]
    release["parties"] = list(parties.values())
    return release


def _check_tags(tags) -> list[str]:
    tags = [tags] if isinstance(tags, str) else list(tags)
    for tag in tags:
        if tag not in TAGS and tag != "compiled":
            raise ValueError(f"not an OCDS release tag: {tag}")
    return tags


def _release(f: _Facts, tags: list[str], date, *, as_of: dt.date | None, final: bool, n: int) -> dict:
    ocid = _ocid(f.project)
    head = {"ocid": ocid, "id": f"{ocid}-{n:04d}-{'-'.join(tags)}", "date": iso(date), "tag": tags,
            "initiationType": "tender", "language": LANGUAGE}
    return {**head, **_snapshot(f, as_of=as_of, final=final)}


def release_build(project, tags, date, *, as_of: dt.date | None = None, final: bool = True, n: int = 1) -> dict:
    """A full OCDS 1.1 release of ``project`` dated ``date`` with ``tags`` (a tag or a list).
    ``n`` is the release's number in the project's sequence (part of its id)."""
    return _release(_facts(project), _check_tags(tags), date, as_of=as_of, final=final, n=n)


def _same_content(a: dict, b: dict) -> bool:
    skip = {"id", "date"}
    return {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}


def release_publish(*, project, tag: str, when=None):
    """Append the release for ``project``'s new state (tag: tender, tenderUpdate,
    tenderCancellation, award, awardUpdate, contract, contractUpdate, implementation) in the
    caller's transaction, and return it.

    Idempotent: the same (project, tag, date) twice gives the one release, and so does
    publishing the same tag again with nothing changed (a double click, a retried request)."""
    from gongxin.procurement.models import OcdsRelease

    if project.status == "draft" or not project.publicized_on:
        raise ValueError("a draft project is not published: publicize it first")
    date = _aware(when)
    with transaction.atomic():
        existing = list(OcdsRelease.objects.filter(project=project).order_by("date", "id"))
        for rel in existing:
            if rel.tags == [tag] and rel.date == date:
                return rel
        n = len(existing) + 1
        data = release_build(project, [tag], date, n=n)
        latest = max(existing, key=lambda r: (r.date, r.id), default=None)
        if latest is not None and latest.tags == [tag] and _same_content(latest.data, data):
            return latest
        return OcdsRelease.objects.create(ocid=data["ocid"], project=project, release_id=data["id"], date=date,
                                          tags=data["tag"], data=data)


# --- History -------------------------------------------------------------------------------------


def _at(day: dt.date, step: int) -> dt.datetime:
    # Backfilled steps get a time of day in step order, so that an award and a signature on the
    # same day still sort as they happened.
    return dt.datetime.combine(day, dt.time(9 + step, 0), tzinfo=_tz())


def _steps(project, contract, evaluation) -> list[tuple[str, dt.datetime, dt.date]]:
    if project.status == "draft" or not project.publicized_on:
        return []
    steps = [("tender", _at(project.publicized_on, 0), project.publicized_on)]
    if project.awarded_on and project.awarded_supplier_name:
        steps.append(("award", _at(project.awarded_on, 1), project.awarded_on))
        if contract is not None:
            steps.append(("contract", _at(contract.signed_on, 2), contract.signed_on))
            if project.completed_on:
                steps.append(("implementation", _at(project.completed_on, 3), project.completed_on))
                if evaluation is not None and evaluation.status == "submitted" and evaluation.evaluated_on:
                    steps.append(("implementation", _at(evaluation.evaluated_on, 4), evaluation.evaluated_on))
    if project.status in ("cancelled", "unsuccessful"):
        last = max(_local_day(project.updated_at), steps[-1][2])
        tag = "tenderCancellation" if project.status == "cancelled" else "tenderUpdate"
        steps.append((tag, _at(last, 5), last))
    # Dates entered out of order (a back-dated signature) would make the feed go backwards.
    for i in range(1, len(steps)):
        if steps[i][1] < steps[i - 1][1]:
            tag, _, day = steps[i]
            steps[i] = (tag, steps[i - 1][1] + dt.timedelta(minutes=1), max(day, steps[i - 1][2]))
    return steps


def history_steps(project) -> list[tuple[str, dt.datetime, dt.date]]:
    """The (tag, date, as_of day) of each release the project's state implies."""
    return _steps(project, _related(project, "contract"), _related(project, "evaluation"))


def history_releases(project) -> list[dict]:
    """The releases ``releases_backfill`` creates for ``project`` (a model instance), each built
    by ``release_build``: what the backfill's own path must equal."""
    steps = history_steps(project)
    return [release_build(project, [tag], date, as_of=as_of, final=n == len(steps), n=n)
            for n, (tag, date, as_of) in enumerate(steps, start=1)]


def _grouped(rows, make) -> dict[int, list]:
    out: dict[int, list] = {}
    for project_id, *values in rows:
        out.setdefault(project_id, []).append(make(*values))
    return out


def _facts_chunk(ids: list[int], organizations: dict[int, dict], buyers: dict[int, dict]) -> Iterator[_Facts]:
    """The facts of the projects ``ids``, in id order, from a handful of plain-row queries
    (joins instead of model instances: a model instance per project, bid and milestone was
    most of the backfill's time). ``organizations`` and ``buyers`` cache the parties across
    chunks."""
    from gongxin.procurement.models import Bid, Milestone, ProjectDocument, PurchaseProject, TrackingReport

    def org_party(pk, name, uscc, address):
        party = organizations.get(pk)
        if party is None:
            party = organizations[pk] = _organization_party(pk, name, uscc, address)
        return party

    bids = _grouped(
        Bid.objects.filter(project_id__in=ids).order_by("project_id", "submitted_at", "id").values_list(
            "project_id", "status", "submitted_at", "organization_id", "organization__name", "organization__uscc",
            "organization__address"),
        lambda status, at, *org: (status, _local_day(at), org_party(*org)))
    milestones = _grouped(Milestone.objects.filter(project_id__in=ids).order_by("project_id", "due_on", "id")
                          .values_list("project_id", "id", "title", "due_on", "payment", "status", "done_on"),
                          _MilestoneRow)
    reports = _grouped(TrackingReport.objects.filter(project_id__in=ids).order_by("project_id", "reported_on", "id")
                       .values_list("project_id", "id", "author", "reported_on", "progress", "content"), _ReportRow)
    documents = _grouped(ProjectDocument.objects.filter(project_id__in=ids).order_by("project_id", "uploaded_at", "id")
                         .values_list("project_id", "id", "kind", "is_public", "bid_id", "uploaded_at", "title"),
                         _DocumentRow)
    related = ("department_id", "department__name", "department__uscc", "department__region__name",
               "service_id", "service__name", "service__code", "category_id", "category__name",
               "function_id", "function__name",
               "awarded_organization_id", "awarded_organization__name", "awarded_organization__uscc",
               "awarded_organization__address",
               "contract__id", "contract__number", "contract__signed_on", "contract__amount", "contract__starts_on",
               "contract__ends_on",
               "evaluation__id", "evaluation__status", "evaluation__evaluated_on", "evaluation__evaluator_id",
               "evaluation__total", "evaluation__rating", "evaluation__comments")
    width = len(_PROJECT_FIELDS)
    rows = PurchaseProject.objects.filter(pk__in=ids).order_by("pk").values_list("id", *_PROJECT_FIELDS[1:], *related)
    for row in rows:
        project = _ProjectRow._make(row[:width])
        (dept_id, dept_name, dept_uscc, dept_region, service_id, service_name, service_code, category_id,
         category_name, function_id, function_name, org_id, org_name, org_uscc, org_address, contract_id,
         contract_number, signed_on, contract_amount, contract_starts, contract_ends, evaluation_id,
         evaluation_status, evaluated_on, evaluator_id, total, rating, comments) = row[width:]
        buyer = buyers.get(dept_id)
        if buyer is None:
            buyer = buyers[dept_id] = _buyer_party(dept_id, dept_name, dept_uscc, dept_region or "")
        pk = project.pk
        yield _Facts(
            project=project, buyer=buyer,
            service=(service_name, service_code) if service_id else None,
            category=(category_id, category_name) if category_id else None,
            function=function_name if function_id else None,
            supplier_org=org_party(org_id, org_name, org_uscc, org_address) if org_id else None,
            contract=_ContractRow(contract_id, contract_number, signed_on, contract_amount, contract_starts,
                                  contract_ends) if contract_id else None,
            evaluation=_EvaluationRow(evaluation_status, evaluated_on, evaluator_id, total, rating, comments)
            if evaluation_id else None,
            bids=bids.get(pk, []), milestones=milestones.get(pk, []), reports=reports.get(pk, []),
            documents=documents.get(pk, []),
        )


RELEASE_COLUMNS = ("ocid", "project_id", "release_id", "date", "tags", "data")


def releases_backfill(projects=None, *, chunk: int = CHUNK) -> int:
    """Create the releases that the state of ``projects`` (a queryset; default every project)
    implies, for those that have none yet (demo data, history imported from before the
    platform): tender at publicity, award, contract at signature, implementation at completion
    and at evaluation, cancellation. Returns how many releases were created.

    The same releases as ``release_build`` gives for each step (``history_releases``), built
    from plain rows read per chunk of projects, each project's unchanging parts once for all
    its steps, and written as JSON text in one multi-row insert per chunk (core.bulk): Django's
    bulk_create would build a model instance and encode the JSONField once more per release."""
    from gongxin.core.bulk import insert_rows
    from gongxin.procurement.models import OcdsRelease, PurchaseProject

    qs = (projects if projects is not None else PurchaseProject.objects.all())
    qs = qs.exclude(status="draft").exclude(publicized_on=None).filter(releases__isnull=True).order_by("pk")
    ids = list(qs.values_list("pk", flat=True).distinct())
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    organizations: dict[int, dict] = {}
    buyers: dict[int, dict] = {}
    created = 0
    for start in range(0, len(ids), chunk):
        rows = []
        for f in _facts_chunk(ids[start:start + chunk], organizations, buyers):
            steps = _steps(f.project, f.contract, f.evaluation)
            for n, (tag, date, as_of) in enumerate(steps, start=1):
                data = _release(f, [tag], date, as_of=as_of, final=n == len(steps), n=n)
                rows.append((data["ocid"], f.project.pk, data["id"], date, json.dumps(data["tag"]), dumps(data)))
        with transaction.atomic():
            created += insert_rows(OcdsRelease, RELEASE_COLUMNS, rows)
    return created


# --- Packages ------------------------------------------------------------------------------------


def base_url() -> str:
    """Where the API is published, for package URIs built without a request (exports)."""
    return site_url()


def publisher() -> dict:
    from django.utils import translation

    with translation.override("zh-hans"):
        name = str(getattr(settings, "PLATFORM_NAME", "") or "Gongxin")
    return {"name": name, "uri": base_url() + "/"}


def _package_head(uri: str, published_date) -> dict:
    return {"uri": uri, "version": OCDS_VERSION, "publishedDate": iso(published_date or timezone.now()),
            "publisher": publisher()}


def release_package(releases: Iterable, uri: str, published_date=None) -> dict:
    """A release package of ``releases`` (OcdsRelease rows or release dicts)."""
    return {**_package_head(uri, published_date),
            "releases": [r.data if hasattr(r, "data") else r for r in releases]}


def compiled_release(releases: list[dict]) -> dict:
    """The latest snapshot, tagged ``compiled``: every release is a full snapshot, so the
    newest one already is the compiled state."""
    latest = max(releases, key=lambda r: r["date"])
    return {**latest, "id": f"{latest['ocid']}-compiled", "tag": ["compiled"]}


def record_package(ocid: str, uri: str | None = None, published_date=None) -> dict | None:
    """The record package of one contracting process (every release embedded and the compiled
    release), or None when nothing was published under ``ocid``."""
    from gongxin.procurement.models import OcdsRelease

    releases = [r.data for r in OcdsRelease.objects.filter(ocid=ocid).order_by("date", "id")]
    if not releases:
        return None
    uri = uri or f"{base_url()}/api/v1/ocds/records/{ocid}"
    return {**_package_head(uri, published_date),
            "records": [{"ocid": ocid, "releases": releases, "compiledRelease": compiled_release(releases)}]}


def stream_release_package(releases: Iterable, *, uri: str, published_date=None,
                           flush_bytes: int = 64 * 1024) -> Iterator[str]:
    """A release package written incrementally: the head, then each release as it comes, in
    chunks of about ``flush_bytes`` characters, so memory stays bounded whatever the count.

    ``releases`` yields release dicts, or already serialized release JSON (str/bytes: the
    rows' stored text, passed through without decoding and encoding again)."""
    head = json.dumps(_package_head(uri, published_date), ensure_ascii=False)
    parts = [head[:-1], ', "releases": [']
    size = 0
    first = True
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for release in releases:
        if isinstance(release, bytes):
            text = release.decode()
        elif isinstance(release, str):
            text = release
        else:
            text = dumps(release)
        if not first:
            parts.append(",\n")
        first = False
        parts.append(text)
        size += len(text)
        if size >= flush_bytes:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("]}\n")
    yield "".join(parts)


def stored_release_texts(queryset, *, chunk: int = 500) -> Iterator[str]:
    """The stored JSON text of each release of ``queryset`` in (date, id) order, read in
    keyset-paged chunks (no server-side cursor needed on either engine) and never decoded."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    qs = queryset.order_by("date", "id").annotate(text=Cast("data", TextField()))
    last = None
    while True:
        page = qs
        if last is not None:
            from django.db.models import Q

            page = qs.filter(Q(date__gt=last[0]) | Q(date=last[0], id__gt=last[1]))
        rows = list(page.values_list("date", "id", "text")[:chunk])
        if not rows:
            return
        for _, _, text in rows:
            yield text
        last = rows[-1][:2]


# --- Validation ----------------------------------------------------------------------------------


def standard_zip_path() -> Path:
    """The OCDS 1.1.5 schema zip for offline validation: settings.OCDS_STANDARD_ZIP, else the
    workspace's shared/ocds beside the checkout. Raises ImproperlyConfigured if neither exists
    (validation must not pass silently without a schema)."""
    import gongxin

    configured = getattr(settings, "OCDS_STANDARD_ZIP", "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ImproperlyConfigured(f"GONGXIN_OCDS_STANDARD_ZIP={configured} does not exist")
        return path.resolve()
    name = Path("shared") / "ocds" / "standard-1__1__5.zip"
    candidates = [Path(gongxin.__file__).resolve().parents[2].parent / name,
                  Path(settings.PROJECT_DIR).resolve().parent / name, Path("/work") / name]
    for path in candidates:
        if path.is_file():
            return path
    raise ImproperlyConfigured("The OCDS schema zip standard-1__1__5.zip was not found (looked in "
                               + ", ".join(str(p) for p in candidates) + "); set GONGXIN_OCDS_STANDARD_ZIP.")


def validate(data: dict) -> dict:
    """libcoveocds's result for a release or record package, against the offline schema
    (``result["validation_errors"]`` must be empty). The same steps as
    ``libcoveocds.api.ocds_json_output``, with the schema class below."""
    from libcoveocds.common_checks import common_checks_ocds
    from libcoveocds.config import LibCoveOCDSConfig
    from libcoveocds.lib.api import context_api_transform
    from libcoveocds.schema import SchemaOCDS

    class OfflineSchema(SchemaOCDS):
        # The record package schema's ``versionedRelease`` is a $ref to an https URL that
        # jsonref fetches when libcoveocds dereferences it (the zip is not consulted there), which
        # fails offline. We never publish versioned releases: check it only as an object.
        def _get_schema(self, name):
            schema = super()._get_schema(name)
            if name == "record-package-schema.json":
                record = schema["definitions"]["record"]["properties"]
                record["versionedRelease"] = {"title": record["versionedRelease"].get("title", ""), "type": "object"}
            return schema

    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = f"file://{standard_zip_path()}"
    schema = OfflineSchema(None, data, config, record_pkg="records" in data)
    context = {"file_type": "json"}
    context_api_transform(common_checks_ocds(context, "", data, schema, cache=False))
    return context
