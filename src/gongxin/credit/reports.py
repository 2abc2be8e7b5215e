"""Credit reports (信用报告): a PDF of an organization's public credit information, issued to
the organization (for a bid, a funding application…) and verifiable by anyone.

Each report carries a random verification code; ``/credit/verify/<code>/`` shows what was
issued under it and the PDF's SHA-256, so a reviewer handed a PDF can tell a genuine report
from an edited one. Like the registration certificate it is a Chinese document: its text is
Chinese whatever the user's language.

The layout flows over pages (ReportLab platypus): the tables of entries and credit information
have no fixed length. Fonts come from ``gongxin.core.pdf`` (embedded CJK subsets)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gongxin.core import pdf
from gongxin.core.audit import audit_record
from gongxin.core.site import absolute_url
from gongxin.credit.models import CreditCategory, CreditList, CreditReport, ListEntry, ListingStatus, Penalty
from gongxin.credit.records import credit_information, public_penalties, yuan
from gongxin.credit.selectors import organization_entries
from gongxin.registry.applications import NotAllowed
from gongxin.registry.certificates import CAPITAL_LABELS
from gongxin.registry.models import CreditStatus, Organization, OrgType, authority_name
from gongxin.registry.selectors import officer_manages

# 31 characters without 0/O, 1/I/L: read aloud or typed from paper without confusion.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
# A second click on "issue" within this many seconds returns the report just issued.
DOUBLE_SUBMIT_SECONDS = 15

LIST_NAMES = {CreditList.ABNORMAL: "活动异常名录", CreditList.DISHONEST: "严重违法失信名单"}
STATUS_TEXT = {
    CreditStatus.NORMAL: "未列入活动异常名录和严重违法失信名单",
    CreditStatus.ABNORMAL: "列入活动异常名录",
    CreditStatus.DISHONEST: "列入严重违法失信名单",
}
TYPE_NAMES = {OrgType.SOCIAL_GROUP: "社会团体", OrgType.SOCIAL_SERVICE_AGENCY: "社会服务机构",
              OrgType.FOUNDATION: "基金会"}
ORG_STATUS_NAMES = {"active": "正常", "deregistered": "已注销", "registration_cancelled": "已撤销登记",
                    "certificate_revoked": "已吊销登记证书"}
PENALTY_NAMES = {"warning": "警告", "fine": "罚款", "confiscation": "没收违法所得或非法财产",
                 "suspension": "限期停止活动", "registration_cancelled": "撤销登记",
                 "certificate_revoked": "吊销登记证书"}
CATEGORY_NAMES = {CreditCategory.BASIC: "基础信息", CreditCategory.ANNUAL: "年报信息",
                  CreditCategory.INSPECTION: "行政检查信息", CreditCategory.PENALTY: "行政处罚信息",
                  CreditCategory.OTHER: "其他信息"}
NUMERALS = "一二三四五六七八九十"


def normalize_code(raw: str) -> str:
    """A code as typed: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t\r\n")


def code_is_wellformed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def verify_path(code: str) -> str:
    return f"/credit/verify/{code}/"


def verify_url(code: str) -> str:
    """The verification page's full address (GONGXIN_SITE_URL), as printed on the report."""
    return absolute_url(verify_path(code))


def may_issue(actor, org: Organization) -> bool:
    """The organization's own users and its registration authority's officers."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return getattr(actor, "organization_id", None) == org.pk or officer_manages(actor, org.region_prefix)


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not CreditReport.objects.filter(code=code).exists():  # 31^16 codes: a repeat is theoretical
            return code


@transaction.atomic
def credit_report_issue(*, actor, organization: Organization) -> CreditReport:
    """Issue a credit report PDF of ``organization``'s public credit information as of now,
    with a new verification code; the PDF, its SHA-256 and a summary are stored."""
    if not may_issue(actor, organization):
        raise NotAllowed(_("Only the organization itself and its registration authority may issue its credit report."))
    now = timezone.now()
    recent = (CreditReport.objects.filter(organization=organization, generated_by=actor,
                                          generated_at__gte=now - dt.timedelta(seconds=DOUBLE_SUBMIT_SECONDS))
              .order_by("-generated_at").first())
    if recent is not None:
        return recent
    org = Organization.objects.select_related("registration_authority", "sponsor_unit").get(pk=organization.pk)
    entries = organization_entries(org)  # listed and removed: what the public lists show
    penalties = public_penalties(org)
    with translation.override("zh-hans"):
        blocks = credit_information(org, public=True)
    code = _new_code()
    summary = _summary(org, entries, penalties, blocks)
    content = report_pdf(org, code=code, issued_at=now, entries=entries, penalties=penalties, blocks=blocks)
    report = CreditReport(code=code, organization=org, generated_at=now, generated_by=actor,
                          sha256=hashlib.sha256(content).hexdigest(), summary=summary)
    # The file is written before the row; should the transaction roll back, an orphan PDF
    # stays in storage with no code pointing at it, which verifies nothing.
    report.file.save(f"{org.uscc}-{code}.pdf", ContentFile(content), save=False)
    report.full_clean()
    report.save(force_insert=True)
    audit_record(actor=actor, action="credit.report_issue", obj=report, after={
        "organization": org.uscc, "code": code, "sha256": report.sha256, "credit_status": summary["credit_status"]})
    return report


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _summary(org: Organization, entries: list[ListEntry], penalties: list[Penalty], blocks) -> dict:
    listed = [e for e in entries if e.status == ListingStatus.LISTED]
    return {
        "organization": {"name": org.name, "uscc": org.uscc},
        "credit_status": org.credit_status or "normal",
        "credit_status_text": STATUS_TEXT[CreditStatus(org.credit_status)],
        "counts": {
            "abnormal_listed": sum(e.list == CreditList.ABNORMAL for e in listed),
            "dishonest_listed": sum(e.list == CreditList.DISHONEST for e in listed),
            "entries": len(entries),
            "penalties": len(penalties),
            "information": {b.category: len(b.items) for b in blocks},
        },
        "entries": [{"list": e.list, "listed_on": _d(e.listed_on), "reason": e.reason,
                     "authority": authority_name(e.authority), "removed_on": _d(e.removed_on),
                     "removal_reason": e.removal_reason} for e in entries],
    }


# --- the PDF --------------------------------------------------------------------------------

_GREY = colors.Color(0.35, 0.35, 0.35)
_RULE = colors.Color(0.7, 0.7, 0.7)
_HEAD = colors.Color(0.93, 0.93, 0.93)
_RED = colors.Color(0.62, 0.1, 0.1)
_MARGIN = 18 * mm


def _styles() -> dict[str, ParagraphStyle]:
    body, song = pdf.fonts()
    base = ParagraphStyle("body", fontName=body, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontName=song, fontSize=24, leading=32, alignment=1,
                                textColor=_RED, spaceAfter=4),
        "meta": ParagraphStyle("meta", parent=base, alignment=1, textColor=_GREY, fontSize=9),
        # Headings stay with what follows them rather than end a page alone.
        "h1": ParagraphStyle("h1", parent=base, fontName=song, fontSize=14, leading=20, spaceBefore=12, spaceAfter=6,
                             keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=16, spaceBefore=6, spaceAfter=4, keepWithNext=1),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=12),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=12),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=13, textColor=_GREY),
    }


def _p(text, style) -> Paragraph:
    markup = "<br/>".join(escape(line) for line in str(text or "").splitlines()) or "—"
    return Paragraph(markup, style)


def _table(header: list[str], rows: list[list], widths: list[float], st) -> Table:
    data = [[_p(h, st["head"]) for h in header]] + [[_p(v, st["cell"]) for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        # Cells are paragraphs, but a table sets its (default Helvetica) font per cell anyway.
        ("FONTNAME", (0, 0), (-1, -1), st["body"].fontName),
        ("GRID", (0, 0), (-1, -1), 0.5, _RULE),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _fields_table(rows: list[tuple[str, str]], width: float, st) -> Table:
    data = [[_p(label, st["head"]), _p(value, st["cell"])] for label, value in rows]
    table = Table(data, colWidths=[32 * mm, width - 32 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st["body"].fontName),
        ("GRID", (0, 0), (-1, -1), 0.5, _RULE),
        ("BACKGROUND", (0, 0), (0, -1), _HEAD),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _registration_rows(org: Organization) -> list[tuple[str, str]]:
    valid = "—"
    if org.certificate_valid_from or org.certificate_valid_to:
        valid = f"{_cn_date(org.certificate_valid_from)}至{_cn_date(org.certificate_valid_to)}"
    return [
        ("名称", org.name),
        ("统一社会信用代码", org.uscc),
        ("组织类型", TYPE_NAMES.get(org.org_type, org.org_type)),
        ("法定代表人", org.legal_representative),
        ("住所", org.address),
        ("成立登记日期", _cn_date(org.established_on)),
        (CAPITAL_LABELS.get(org.org_type, "注册资金"), f"{org.registered_capital.normalize():f} 万元"),
        ("登记管理机关", authority_name(org.registration_authority)),
        ("业务主管单位", org.sponsor_unit.name if org.sponsor_unit_id else "无"),
        ("登记证书号", org.certificate_number or "—"),
        ("证书有效期", valid),
        ("登记状态", ORG_STATUS_NAMES.get(org.status, org.status)),
        ("业务范围", org.business_scope),
    ]


def _story(org, *, code, issued_at, entries, penalties, blocks, width) -> list:
    st = _styles()
    local = timezone.localtime(issued_at)
    story = [
        _p("社会组织信用报告", st["title"]),
        _p(f"验证码:{code}    出具时间:{local:%Y年%m月%d日 %H:%M}", st["meta"]),
        Spacer(1, 6),
    ]
    sections = iter(NUMERALS)

    story.append(_p(f"{next(sections)}、基本信息", st["h1"]))
    story.append(_fields_table(_registration_rows(org), width, st))

    story.append(_p(f"{next(sections)}、信用状况", st["h1"]))
    listed = [e for e in entries if e.status == ListingStatus.LISTED]
    status_line = f"截至报告出具时间,该组织{STATUS_TEXT[CreditStatus(org.credit_status)]}。"
    for entry in listed:
        status_line += (f"自{_cn_date(entry.listed_on)}起被{authority_name(entry.authority)}列入"
                        f"{LIST_NAMES[entry.list]},列入事由:{entry.reason}。")
    story.append(_p(status_line, st["body"]))
    story.append(_p(f"公开行政处罚{len(penalties)}条;列入及移出名单记录{len(entries)}条。", st["body"]))

    story.append(_p(f"{next(sections)}、列入活动异常名录和严重违法失信名单情况", st["h1"]))
    if entries:
        rows = [[LIST_NAMES[e.list], _cn_date(e.listed_on), e.reason, authority_name(e.authority),
                 _cn_date(e.removed_on) if e.removed_on else "—", e.removal_reason or "—"] for e in entries]
        story.append(_table(["名单", "列入时间", "列入事由", "列入机关", "移出时间", "移出事由"], rows,
                            _widths(width, [0.16, 0.15, 0.22, 0.14, 0.15, 0.18]), st))
    else:
        story.append(_p("无。", st["body"]))

    story.append(_p(f"{next(sections)}、信用信息", st["h1"]))
    for index, block in enumerate(blocks):
        story.append(_p(f"({NUMERALS[index]}){CATEGORY_NAMES.get(block.category, block.title)}", st["h2"]))
        if block.category == CreditCategory.PENALTY:
            if penalties:
                rows = [[p.decision_number, _penalty_result(p), p.facts, p.legal_basis, _cn_date(p.decided_on),
                         p.deciding_body] for p in penalties]
                story.append(_table(["决定书文号", "处罚种类及结果", "违法事实", "处罚依据", "决定日期", "决定机关"],
                                    rows, _widths(width, [0.2, 0.14, 0.2, 0.18, 0.15, 0.13]), st))
            else:
                story.append(_p("无。", st["body"]))
            continue
        if block.items:
            rows = [[i.title, _cn_date(i.date) if i.date else "—", i.deciding_body, i.source, i.content]
                    for i in block.items]
            story.append(_table(["事项", "日期", "决定(实施)机关", "信息来源", "内容"], rows,
                                _widths(width, [0.18, 0.15, 0.16, 0.16, 0.35]), st))
        else:
            story.append(_p("无。", st["body"]))

    story.append(_p(f"{next(sections)}、说明", st["h1"]))
    for line in (
        "1. 本报告依据《社会组织信用信息管理办法》(民政部令第60号),载明报告出具时间本平台记录的该组织公开信用信息。",
        "2. 列入机关、决定机关所作决定以其正式文书为准;报告出具后的信息变化请查询本平台该组织的信用档案。",
        f"3. 核验方法:扫描下方二维码或访问 {verify_url(code)},或在本平台“信用报告核验”页面输入验证码 {code},"
        "可查看本报告的出具信息及文件的 SHA-256 摘要,并可上传本文件核对是否被修改。",
    ):
        story.append(_p(line, st["note"]))
    story.append(Spacer(1, 3 * mm))
    story.append(pdf.qr_drawing(verify_url(code), 28 * mm))
    return story


def _widths(total: float, shares: list[float]) -> list[float]:
    return [total * s for s in shares]


def _penalty_result(p: Penalty) -> str:
    text = PENALTY_NAMES.get(p.kind, p.kind)
    if p.amount is not None:
        text += f"\n{yuan(p.amount)}"
    if p.suspension_from:
        text += f"\n{_cn_date(p.suspension_from)}至{_cn_date(p.suspension_until)}"
    return text


def report_pdf(org: Organization, *, code: str, issued_at: dt.datetime, entries: list[ListEntry],
               penalties: list[Penalty], blocks) -> bytes:
    """The report as PDF bytes: A4 portrait, as many pages as the information needs, each
    page's foot naming the verification code."""
    body, _song = pdf.fonts()
    buffer = io.BytesIO()
    page_width = A4[0]
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN, bottomMargin=_MARGIN + 6 * mm,
        title=f"{org.name}社会组织信用报告", author="公信", subject="社会组织信用报告", creator="公信 Gongxin",
        # As in core.pdf.render: ReportLab's default Helvetica would be referenced, not embedded.
        initialFontName=body, pageCompression=1,
    )

    def foot(canvas: Canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(body, 8)
        canvas.setFillColor(_GREY)
        canvas.drawString(_MARGIN, _MARGIN - 2, f"{org.name} 社会组织信用报告 · 验证码 {code} · 核验 {verify_url(code)}")
        canvas.drawRightString(page_width - _MARGIN, _MARGIN - 2, f"第 {document.page} 页")
        canvas.restoreState()

    story = _story(org, code=code, issued_at=issued_at, entries=entries, penalties=penalties, blocks=blocks,
                   width=page_width - 2 * _MARGIN)
    doc.build(story, onFirstPage=foot, onLaterPages=foot)
    return buffer.getvalue()


# --- reads ----------------------------------------------------------------------------------

def report_by_code(code: str) -> CreditReport | None:
    """The report issued under ``code`` (as typed), for the public verification page."""
    code = normalize_code(code)
    if not code_is_wellformed(code):
        return None
    return CreditReport.objects.select_related("organization").filter(code=code).first()


def reports_of(org: Organization):
    return CreditReport.objects.filter(organization=org).select_related("generated_by").order_by("-generated_at")


def report_for_download(actor, code: str) -> CreditReport | None:
    """A report the actor may download: one of their organization's, or of an organization
    their jurisdiction covers."""
    report = CreditReport.objects.select_related("organization").filter(code=normalize_code(code)).first()
    if report is None or not may_issue(actor, report.organization):
        return None
    return report
