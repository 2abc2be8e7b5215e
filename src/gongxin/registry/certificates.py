"""The registration certificate (登记证书) of an organization as a PDF.

A Chinese legal document: its text is Chinese only, whatever the user's language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from gongxin.core import pdf
from gongxin.core.site import absolute_url
from gongxin.registry.models import Organization, OrgType, authority_name

CERTIFICATE_TITLES = {
    OrgType.SOCIAL_GROUP: "社会团体法人登记证书",
    # The 2016 Charity Law renamed 民办非企业单位 to 社会服务机构; certificates follow it.
    OrgType.SOCIAL_SERVICE_AGENCY: "社会服务机构登记证书",
    OrgType.FOUNDATION: "基金会法人登记证书",
}
CAPITAL_LABELS = {
    OrgType.SOCIAL_GROUP: "注册资金",
    OrgType.SOCIAL_SERVICE_AGENCY: "开办资金",
    OrgType.FOUNDATION: "原始基金",
}
_RED = Color(0.62, 0.1, 0.1)
_PAGE = landscape(A4)


def _date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _amount(value: Decimal) -> str:
    # normalize() alone gives "1E+2" for 100; the "f" format writes it out.
    return f"{value.normalize():f} 万元"


def certificate_pdf(org: Organization) -> bytes:
    """The registration certificate of ``org``: A4 landscape, one page."""
    title = CERTIFICATE_TITLES[OrgType(org.org_type)]
    valid = (
        f"{_date(org.certificate_valid_from)}至{_date(org.certificate_valid_to)}"
        if org.certificate_valid_from or org.certificate_valid_to else "—"
    )
    rows = [
        ("统一社会信用代码", org.uscc),
        ("名称", org.name),
        ("住所", org.address),
        ("法定代表人", org.legal_representative),
        ("业务范围", org.business_scope),
        (CAPITAL_LABELS[OrgType(org.org_type)], _amount(org.registered_capital)),
        ("业务主管单位", org.sponsor_unit.name if org.sponsor_unit_id else "无"),
        ("有效期限", valid),
    ]
    authority = authority_name(org.registration_authority)
    issued = _date(org.certificate_valid_from or org.established_on)
    # The full address and a QR code: a reader of the paper has no address bar to go by.
    verify_url = absolute_url(reverse("registry:org_profile", kwargs={"uscc": org.uscc}))
    verify = f"扫描二维码或访问 {verify_url} 核验本证书信息"

    def draw(c: Canvas) -> None:
        body, song = pdf.fonts()
        width, height = _PAGE
        # Double border: a heavy outer frame and a hairline inside it.
        c.setStrokeColor(_RED)
        c.setLineWidth(3)
        c.rect(24, 24, width - 48, height - 48)
        c.setLineWidth(0.8)
        c.rect(32, 32, width - 64, height - 64)

        c.setFillColor(black)
        c.setFont(body, 11)
        c.drawRightString(width - 64, height - 62, f"证书编号：{org.certificate_number or '—'}")

        # Title, letter-spaced and centred (drawCentredString knows no character spacing);
        # the spacing is graphics state, so it is saved and restored around the title.
        c.saveState()
        size, spacing = 30, 8
        title_width = stringWidth(title, song, size) + spacing * (len(title) - 1)
        text = c.beginText((width - title_width) / 2, height - 110)
        text.setFont(song, size)
        text.setCharSpace(spacing)
        text.setFillColor(_RED)
        text.textOut(title)
        c.drawText(text)
        c.restoreState()

        left, label_width, right = 110, 130, width - 110
        line, gap, bottom = 13 * 1.4, 11, 130  # bottom: above the authority block
        y = height - 160
        for index, (label, value) in enumerate(rows):
            c.setFillColor(black)
            c.setFont(body, 13)
            c.drawString(left, y - 13, f"{label}：")
            # The business scope takes what the one-line rows below it leave; other values
            # get two lines. Either shrinks its type to fit (pdf.text_box).
            box = y - bottom - (len(rows) - index - 1) * (line + gap) if label == "业务范围" else 2 * line
            used = pdf.text_box(c, value, left + label_width, y, right - left - label_width, max(box, 2 * line),
                                size=13)
            y -= max(used, line) + gap

        c.setFont(body, 13)
        c.drawRightString(right, 104, f"登记管理机关：{authority}")
        c.drawRightString(right, 80, f"发证日期：{issued}")
        qr = 64
        pdf.draw_qr(c, verify_url, left, 48, qr)
        c.setFont(body, 9)
        c.setFillColor(Color(0.35, 0.35, 0.35))
        c.drawString(left + qr + 8, 52, verify)

    return pdf.render(draw, title=f"{org.name}{title}", subject=title, pagesize=_PAGE)
