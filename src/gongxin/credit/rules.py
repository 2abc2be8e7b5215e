"""The grounds of the two lists as named rules (domain-rules.md §2; 《社会组织信用信息管理办法》,
民政部令第60号, arts. 16–24; DESIGN.md convention 4).

Each ground is a ``Ground``: its code (A1–A7 for 活动异常名录, D1–D8 for 严重违法失信名单), title,
legal basis, and a finder that reads the evidence set-wise (one query per source table over a
scope of organizations) and yields ``Finding``s: which organization, which piece of evidence,
the facts in words, the date the ground applies from, and whether it needs rectifying (and if
so, when it was rectified). The engine (credit.engine) turns findings into notices, listings
and removals; pages and the credit report explain an entry by its grounds.

Time boundaries, pinned by tests/credit/test_rules.py:

- "6 months after listing" and "2 full years" are calendar periods: listed on 10 March 2024,
  2 full years have passed on 10 March 2026 (not on the 9th); 31 August + 6 months is
  28 (or 29) February.
- "two or more warnings or fines under ¥50,000 within 3 years": the later decision falls
  before the third anniversary of the earlier (2023-05-10 and 2026-05-09 count, 2026-05-10
  does not).
- "a fine under ¥50,000" / "¥50,000 or more": exactly ¥50,000 is the dishonesty-list ground.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.credit.models import CreditList, ListingStatus, PenaltyKind, RecordKind

FINE_THRESHOLD = Decimal("50000")
# Calendar periods in months.
ABNORMAL_PERIOD = 6  # automatic removal where nothing needs rectifying
TRANSFER_PERIOD = 24  # abnormal for 2 full years -> dishonesty list
DISHONEST_PERIOD = 24  # dishonest removal after 2 years without new grounds
REPEAT_WINDOW = 36  # D5: two or more minor penalties within 3 years

BASIS_ORDER = "《社会组织信用信息管理办法》(民政部令第60号)"
# A1: a report missing and the same report filed late are one ground (evidence report:<year>);
# a 不合格 conclusion on it is a ground of its own (fact:<id>).
REPORT_SAME_GROUND = ("report_missing", "report_late")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clamped to the month's end (31 August + 6 = 28/29 February)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def full_period_passed(start: dt.date, months: int, today: dt.date) -> bool:
    """Whether ``months`` calendar months have fully passed since ``start`` on ``today``."""
    return today >= add_months(start, months)


@dataclass(frozen=True, slots=True)
class Finding:
    organization_id: int
    ground: str
    evidence_key: str
    facts: str
    applies_from: dt.date
    needs_rectification: bool = False
    cured_on: dt.date | None = None

    @property
    def list(self) -> str:
        return GROUNDS[self.ground].list

    def active(self, today: dt.date) -> bool:
        """Whether this finding still justifies a listing today: unrectified, or (nothing to
        rectify) its listing period has not already run out."""
        if self.needs_rectification:
            return self.cured_on is None
        period = ABNORMAL_PERIOD if self.list == CreditList.ABNORMAL else DISHONEST_PERIOD
        return not full_period_passed(self.applies_from, period, today)


@dataclass(frozen=True)
class Scope:
    """Which organizations a run covers: everything, a region subtree, an id range (the engine
    walks a full run in id ranges to bound memory) or given ids (one organization on demand)."""

    region_prefix: str = ""
    id_from: int | None = None
    id_to: int | None = None  # exclusive
    ids: tuple[int, ...] | None = None

    def q(self, field: str = "organization") -> Q:
        q = Q()
        if self.ids is not None:
            q &= Q(**{f"{field}_id__in": self.ids})
        if self.id_from is not None:
            q &= Q(**{f"{field}_id__gte": self.id_from})
        if self.id_to is not None:
            q &= Q(**{f"{field}_id__lt": self.id_to})
        if self.region_prefix:
            q &= Q(**{f"{field}__region_prefix__startswith": self.region_prefix})
        return q


@dataclass(frozen=True)
class Ground:
    code: str
    list: str
    title: str
    basis: str
    find: Callable[[Scope, dt.date], Iterable[Finding]]
    # Entered by an officer (a credit record of this kind) rather than found in other data.
    record_kinds: tuple[str, ...] = ()


def _stream(qs, scope: Scope):
    """A range's rows stream through a server-side cursor; one organization's few rows come in
    one round trip (a cursor costs three on PostgreSQL: 42 -> 29 ms p95 per organization)."""
    return qs if scope.ids is not None else qs.iterator(chunk_size=5000)


def _facts_of(scope: Scope, today: dt.date, code: str, kinds: dict[str, tuple[bool, str]],
              same: tuple[str, ...] = ()) -> Iterator[Finding]:
    """Supervision facts (annual.SupervisionFact) of ``kinds``: kind -> (needs rectification,
    facts template). Facts needing rectification count until resolved; the others only while
    their listing period could still run (older ones would be listed and removed at once).

    The evidence is the fact (``fact:<id>``), except for the kinds in ``same``: facts about the
    same thing (a report missing, then filed late: its year is the fact's key) are one piece of
    evidence, ``<code>:<key>``, so the late filing rectifies the ground the missing report
    opened instead of opening a second one and restarting the clock."""
    from gongxin.annual.models import SupervisionFact

    oldest = add_months(today, -ABNORMAL_PERIOD)
    needs = [k for k, (n, _) in kinds.items() if n]
    once = [k for k, (n, _) in kinds.items() if not n]
    q = Q(kind__in=needs) & (Q(resolved_on__isnull=True) | Q(occurred_on__gte=oldest) | Q(resolved_on__gte=oldest))
    if once:
        # Never resolved (a late or failed report stays so): they count only while their six
        # months can still run; older ones were most of what A1 read (429,000 of 717,000 at 1M).
        q |= Q(kind__in=once, occurred_on__gte=oldest)
    # order_by(): the facts' default ordering joins the organizations to sort by name.
    rows = (SupervisionFact.objects.filter(scope.q(), occurred_on__lte=today).filter(q).order_by()
            .values_list("id", "organization_id", "kind", "key", "occurred_on", "resolved_on"))
    for pk, org_id, kind, key, occurred_on, resolved_on in _stream(rows, scope):
        needs, template = kinds[kind]
        evidence = f"report:{key}" if kind in same else f"fact:{pk}"
        yield Finding(org_id, code, evidence, template.format(key=key, date=occurred_on), occurred_on,
                      needs, resolved_on if needs else None)


def _a1_reports(scope: Scope, today: dt.date) -> Iterator[Finding]:
    return _facts_of(scope, today, "A1", {
        "report_missing": (True, "未按时报送{key}年度工作报告(截止日期后仍未报送,{date}起)"),
        "report_late": (False, "{key}年度工作报告逾期报送({date}报送)"),
        "report_failed": (False, "{key}年度工作报告未按要求报送,年检结论为不合格({date})"),
    }, same=REPORT_SAME_GROUND)


def _a3_rectification(scope: Scope, today: dt.date) -> Iterator[Finding]:
    return _facts_of(scope, today, "A3", {
        "rectification_overdue": (True, "抽查或检查后责令整改,逾期未完成整改(整改通知{key},{date}逾期)"),
    })


def _a6_unreachable(scope: Scope, today: dt.date) -> Iterator[Finding]:
    return _facts_of(scope, today, "A6", {
        "unreachable": (True, "通过登记的住所无法取得联系({date}确认)"),
    })


def _records(code: str, kinds: tuple[str, ...], needs: bool = True):
    """Officer-entered credit records of ``kinds``: open ones need rectifying (ended when the
    record's condition ends, ``resolved_on``)."""

    def find(scope: Scope, today: dt.date) -> Iterator[Finding]:
        from gongxin.credit.models import CreditRecord

        rows = CreditRecord.objects.filter(scope.q(), kind__in=kinds, occurred_on__lte=today).values_list(
            "id", "organization_id", "title", "deciding_body", "occurred_on", "resolved_on")
        for pk, org_id, title, body, occurred_on, resolved_on in _stream(rows, scope):
            yield Finding(org_id, code, f"record:{pk}", f"{title}({body},{occurred_on})", occurred_on,
                          needs, resolved_on if needs else None)

    return find


def _yuan(amount: Decimal | None) -> str:
    return f"{amount:,.2f}" if amount is not None else ""


def _penalty_facts(kind: str, number: str, body: str, decided_on: dt.date, amount: Decimal | None) -> str:
    label = {"warning": "警告", "fine": "罚款", "confiscation": "没收", "suspension": "限期停止活动",
             "registration_cancelled": "撤销登记", "certificate_revoked": "吊销登记证书"}[kind]
    money = f"人民币{_yuan(amount)}元" if amount is not None else ""
    return f"{body}{decided_on}作出行政处罚({number}):{label}{money}"


def _minor(kind: str, amount: Decimal | None) -> bool:
    return kind == PenaltyKind.WARNING or (kind == PenaltyKind.FINE and amount is not None and amount < FINE_THRESHOLD)


def _penalties(scope: Scope, kinds: list[str], today: dt.date):
    """Penalties decided by ``today`` (a run as of an earlier day sees only what was known then)."""
    from gongxin.credit.models import Penalty

    return Penalty.objects.filter(scope.q(), kind__in=kinds, decided_on__lte=today).values_list(
        "id", "organization_id", "kind", "decision_number", "deciding_body", "decided_on", "amount")


def _a5_minor_penalty(scope: Scope, today: dt.date) -> Iterator[Finding]:
    oldest = add_months(today, -ABNORMAL_PERIOD)
    for pk, org_id, kind, number, body, decided_on, amount in _stream(_penalties(scope, ["warning", "fine"], today).filter(
            decided_on__gte=oldest), scope):
        if _minor(kind, amount):
            yield Finding(org_id, "A5", f"penalty:{pk}", _penalty_facts(kind, number, body, decided_on, amount),
                          decided_on)


def _d3_suspension(scope: Scope, today: dt.date) -> Iterator[Finding]:
    oldest = add_months(today, -DISHONEST_PERIOD)
    for pk, org_id, kind, number, body, decided_on, amount in _stream(_penalties(scope, ["suspension"], today).filter(
            decided_on__gte=oldest), scope):
        yield Finding(org_id, "D3", f"penalty:{pk}", _penalty_facts(kind, number, body, decided_on, amount), decided_on)


def _d4_large_fine(scope: Scope, today: dt.date) -> Iterator[Finding]:
    oldest = add_months(today, -DISHONEST_PERIOD)
    for pk, org_id, kind, number, body, decided_on, amount in _stream(_penalties(scope, ["fine"], today).filter(
            decided_on__gte=oldest, amount__gte=FINE_THRESHOLD), scope):
        yield Finding(org_id, "D4", f"penalty:{pk}", _penalty_facts(kind, number, body, decided_on, amount), decided_on)


def _d5_repeated(scope: Scope, today: dt.date) -> Iterator[Finding]:
    """Each minor penalty decided within 3 years after an earlier one is a ground (evidence: the
    later penalty; the facts name both)."""
    # Only penalties that could still matter: the later one within the listing period, the
    # earlier one within 3 years before it.
    oldest = add_months(today, -DISHONEST_PERIOD - REPEAT_WINDOW)
    rows = _penalties(scope, ["warning", "fine"], today).filter(decided_on__gte=oldest).order_by("organization_id",
                                                                                        "decided_on", "id")
    previous: list[tuple] = []
    current_org = None
    for pk, org_id, kind, number, _body, decided_on, amount in _stream(rows, scope):
        if not _minor(kind, amount):
            continue
        if org_id != current_org:
            current_org, previous = org_id, []
        earlier = [p for p in previous if decided_on < add_months(p[2], REPEAT_WINDOW)]
        if earlier and not full_period_passed(decided_on, DISHONEST_PERIOD, today):
            first = earlier[-1]
            yield Finding(org_id, "D5", f"penalty:{pk}",
                          f"3年内受到2次以上警告或不满5万元罚款:{first[1]}({first[2]})、{number}({decided_on})",
                          decided_on)
        previous.append((pk, number, decided_on))


def _d7_ended(scope: Scope, today: dt.date) -> Iterator[Finding]:
    """吊销/撤销: listed until deregistration completes (the organization's status becomes
    deregistered), which the engine treats as the ground's rectification."""
    from gongxin.credit.models import Penalty

    rows = Penalty.objects.filter(scope.q(), kind__in=["registration_cancelled", "certificate_revoked"],
                                  decided_on__lte=today).values_list(
        "id", "organization_id", "kind", "decision_number", "deciding_body", "decided_on", "amount",
        "organization__status", "organization__updated_at")
    for pk, org_id, kind, number, body, decided_on, amount, status, updated_at in _stream(rows, scope):
        cured = updated_at.date() if status == "deregistered" else None
        yield Finding(org_id, "D7", f"penalty:{pk}", _penalty_facts(kind, number, body, decided_on, amount),
                      decided_on, True, cured)


def _d1_transfer(scope: Scope, today: dt.date) -> Iterator[Finding]:
    """On the abnormal list for 2 full years (counted from the entry's clock, which new grounds
    restart). Removal from the dishonesty list then also needs the abnormal obligations
    fulfilled: the ground counts as rectified once every ground of that abnormal entry is."""
    from gongxin.credit.models import ListEntry

    latest_start = add_months(today, -TRANSFER_PERIOD)
    entries = ListEntry.objects.filter(scope.q(), list=CreditList.ABNORMAL, status=ListingStatus.LISTED,
                                       clock_from__lte=latest_start).values_list("id", "organization_id", "clock_from")
    for pk, org_id, clock_from in _stream(entries, scope):
        yield Finding(org_id, "D1", f"abnormal:{pk}",
                      f"自{clock_from}起列入活动异常名录届满2年", add_months(clock_from, TRANSFER_PERIOD), True, None)


GROUNDS: dict[str, Ground] = {g.code: g for g in [
    Ground("A1", CreditList.ABNORMAL, _("Annual work report not submitted on time or as required"),
           f"{BASIS_ORDER}列入活动异常名录情形第(一)项", _a1_reports),
    Ground("A2", CreditList.ABNORMAL, _("No Party organization set up as required"),
           f"{BASIS_ORDER}列入活动异常名录情形第(二)项",
           _records("A2", (RecordKind.PARTY_ORG_MISSING,)), (RecordKind.PARTY_ORG_MISSING,)),
    Ground("A3", CreditList.ABNORMAL, _("Rectification ordered after an inspection not completed on time"),
           f"{BASIS_ORDER}列入活动异常名录情形第(三)项", _a3_rectification),
    Ground("A4", CreditList.ABNORMAL,
           _("Charity with public-fundraising qualification no longer meets its conditions or has not raised funds for 6 months"),
           f"{BASIS_ORDER}列入活动异常名录情形第(四)项",
           _records("A4", (RecordKind.FUNDRAISING_LAPSED,)), (RecordKind.FUNDRAISING_LAPSED,)),
    Ground("A5", CreditList.ABNORMAL, _("A warning or a fine under ¥50,000"),
           f"{BASIS_ORDER}列入活动异常名录情形第(五)项", _a5_minor_penalty),
    Ground("A6", CreditList.ABNORMAL, _("Cannot be reached at its registered address"),
           f"{BASIS_ORDER}列入活动异常名录情形第(六)项", _a6_unreachable),
    Ground("A7", CreditList.ABNORMAL, _("Other grounds set by law or regulation (including failing to disclose required information)"),
           f"{BASIS_ORDER}列入活动异常名录情形第(七)项",
           _records("A7", (RecordKind.DISCLOSURE_FAILURE, RecordKind.OTHER_ABNORMAL)),
           (RecordKind.DISCLOSURE_FAILURE, RecordKind.OTHER_ABNORMAL)),
    Ground("D1", CreditList.DISHONEST, _("On the abnormal activity list for 2 full years"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(一)项", _d1_transfer),
    Ground("D2", CreditList.DISHONEST, _("Change registration obtained by fraud and revoked"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(二)项",
           _records("D2", (RecordKind.FRAUDULENT_CHANGE,), needs=False), (RecordKind.FRAUDULENT_CHANGE,)),
    Ground("D3", CreditList.DISHONEST, _("Penalty of suspension of activities for a fixed period"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(三)项", _d3_suspension),
    Ground("D4", CreditList.DISHONEST, _("A fine of ¥50,000 or more"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(四)项", _d4_large_fine),
    Ground("D5", CreditList.DISHONEST, _("Two or more warnings or fines under ¥50,000 within 3 years"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(五)项", _d5_repeated),
    Ground("D6", CreditList.DISHONEST, _("Listed by a court as a judgment defaulter"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(六)项",
           _records("D6", (RecordKind.COURT_DEFAULTER,)), (RecordKind.COURT_DEFAULTER,)),
    Ground("D7", CreditList.DISHONEST, _("Registration certificate revoked or registration cancelled"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(七)项", _d7_ended),
    Ground("D8", CreditList.DISHONEST, _("Other grounds set by law or regulation"),
           f"{BASIS_ORDER}列入严重违法失信名单情形第(八)项",
           _records("D8", (RecordKind.OTHER_DISHONEST,)), (RecordKind.OTHER_DISHONEST,)),
]}


def findings(scope: Scope, today: dt.date) -> Iterator[Finding]:
    """Every ground's findings in ``scope`` (one query per source per ground)."""
    for ground in GROUNDS.values():
        yield from ground.find(scope, today)


# The facts above are stored in Chinese (they are the legal record of the ground). Shown to a
# reader in another language, they are rendered again from their parts: each pattern below
# matches one template of this module and names the English msgid that says the same.
_PENALTY_LABELS = {"警告": PenaltyKind.WARNING, "罚款": PenaltyKind.FINE, "没收": PenaltyKind.CONFISCATION,
                   "限期停止活动": PenaltyKind.SUSPENSION, "撤销登记": PenaltyKind.REGISTRATION_CANCELLED,
                   "吊销登记证书": PenaltyKind.CERTIFICATE_REVOKED}
_DATE = r"(?P<date>\d{4}-\d{2}-\d{2})"
_FACT_PATTERNS = [
    (rf"未按时报送(?P<year>\d{{4}})年度工作报告\(截止日期后仍未报送,{_DATE}起\)",
     _("The %(year)s annual work report was not submitted on time (still missing after the deadline, "
       "since %(date)s)")),
    (rf"(?P<year>\d{{4}})年度工作报告逾期报送\({_DATE}报送\)",
     _("The %(year)s annual work report was submitted late (on %(date)s)")),
    (rf"(?P<year>\d{{4}})年度工作报告未按要求报送,年检结论为不合格\({_DATE}\)",
     _("The %(year)s annual work report was not submitted as required; the annual inspection "
       "concluded it failed (%(date)s)")),
    (rf"抽查或检查后责令整改,逾期未完成整改\(整改通知(?P<key>.*),{_DATE}逾期\)",
     _("Ordered to rectify after a spot check or inspection; the rectification was not completed "
       "in time (rectification notice %(key)s, overdue on %(date)s)")),
    (rf"通过登记的住所无法取得联系\({_DATE}确认\)",
     _("Could not be reached at the registered address (confirmed on %(date)s)")),
    (rf"(?P<body>.*?){_DATE}作出行政处罚\((?P<number>.*)\):(?P<kind>{'|'.join(_PENALTY_LABELS)})"
     r"(?:人民币(?P<amount>[\d,]+\.\d{2})元)?",
     _("Administrative penalty decided by %(body)s on %(date)s (%(number)s): %(penalty)s")),
    (r"3年内受到2次以上警告或不满5万元罚款:(?P<first>.*)\((?P<first_date>\d{4}-\d{2}-\d{2})\)、"
     r"(?P<second>.*)\((?P<second_date>\d{4}-\d{2}-\d{2})\)",
     _("Two or more warnings or fines under ¥50,000 within 3 years: %(first)s (%(first_date)s), "
       "%(second)s (%(second_date)s)")),
    (rf"自{_DATE}起列入活动异常名录届满2年",
     _("On the list of organizations with abnormal activities for 2 years since %(date)s")),
    # The credit record of an evaluation grade (evaluation.services): its title and content.
    (r"社会组织评估等级(?P<grade>[1-5]A)", _("Social organization evaluation grade %(grade)s")),
    (rf"评估等级(?P<grade>[1-5]A),有效期至{_DATE}", _("Evaluation grade %(grade)s, valid until %(date)s")),
]


def facts_display(facts: str) -> str:
    """``facts`` as stored (Chinese) in the active language: in Chinese the stored text itself;
    otherwise the translation of the template it was made from, or the stored text when no
    template matches (an officer's record title, a record's own wording). Also used for the
    title and content of the credit records code writes (an evaluation grade's)."""
    import re

    from django.utils.translation import get_language

    if (get_language() or "zh-hans").startswith("zh"):
        return facts
    for pattern, msgid in _FACT_PATTERNS:
        m = re.fullmatch(pattern, facts)
        if m:
            parts = {k: v or "" for k, v in m.groupdict().items()}
            if "kind" in parts:
                penalty = str(_PENALTY_LABELS[parts.pop("kind")].label)
                amount = parts.pop("amount")
                parts["penalty"] = f"{penalty} ¥{amount}" if amount else penalty
            return str(msgid) % parts
    return facts
