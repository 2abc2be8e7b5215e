"""The registration certificate PDF: CJK fonts embedded as subsets, text extractable."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongxin.core import pdf
from gongxin.registry.certificates import certificate_pdf
from gongxin.registry.models import OrgType, SponsorUnit


def _pdffonts(path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    # Columns: name type encoding emb sub uni object-ID (two words); names have no spaces.
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def _pdftotext(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout


@pytest.mark.parametrize(
    ("org_type", "subtype", "title", "capital_label"),
    [
        (OrgType.SOCIAL_GROUP, "industry_association", "社会团体法人登记证书", "注册资金"),
        (OrgType.SOCIAL_SERVICE_AGENCY, "social_work", "社会服务机构登记证书", "开办资金"),
        (OrgType.FOUNDATION, "non_public_fundraising", "基金会法人登记证书", "原始基金"),
    ],
)
def test_certificate_embeds_subset_fonts_and_reads_back_in_chinese(
    make_org, tmp_path, org_type, subtype, title, capital_label
):
    org = make_org(
        "珠海市测试行业协会", org_type=org_type, subtype=subtype, certificate_number="粤珠社证字第0001号",
        certificate_valid_from=date(2025, 1, 1), certificate_valid_to=date(2029, 12, 31),
    )
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf(org))

    fonts = _pdffonts(path)
    assert fonts, "no fonts in the PDF"
    for row in fonts:
        name, emb, sub = row[0], row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert "+" in name, row  # subset tag, e.g. AAAAAA+WenQuanYiMicroHei
    names = " ".join(row[0] for row in fonts)
    # wqy-microhei.ttc and gbsn00lp.ttf (whose PostScript name is BousungEG-Light-GB).
    assert "WenQuanYiMicroHei" in names and "BousungEG" in names, names

    text = _pdftotext(path)
    squeezed = "".join(text.split())  # the title is letter-spaced
    for expected in (org.name, org.uscc, title, "香洲区民政局", capital_label, "10万元", "粤珠社证字第0001号",
                     "2025年1月1日至2029年12月31日", "业务主管单位：无", f"/orgs/{org.uscc}/"):
        assert expected in squeezed, expected


def test_certificate_names_the_sponsor_unit_and_wraps_a_long_business_scope(make_org, tmp_path):
    sponsor = SponsorUnit.objects.create(name="珠海市科学技术协会", region_id="440400")
    scope = "开展学术交流、科普宣传、人才培训、咨询服务，承接政府委托事项，" * 6
    org = make_org("珠海市测试乙学会", region="440400", subtype="academic", sponsor_unit=sponsor,
                   business_scope=scope)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf(org))

    squeezed = "".join(_pdftotext(path).split())
    assert "业务主管单位：珠海市科学技术协会" in squeezed
    assert "珠海市民政局" in squeezed
    assert "承接政府委托事项" in squeezed


def test_missing_configured_font_names_the_debian_packages(settings):
    pdf._register.cache_clear()
    settings.PDF_FONT_BODY = "/nonexistent/font.ttc"
    try:
        with pytest.raises(ImproperlyConfigured) as raised:
            pdf.fonts()
        message = str(raised.value)
        assert "/nonexistent/font.ttc" in message
        assert "fonts-wqy-microhei" in message and "fonts-arphic-gbsn00lp" in message
    finally:
        pdf._register.cache_clear()


def test_certificate_prints_the_full_verification_address_and_its_qr_code(make_org, tmp_path, settings):
    settings.SITE_URL = "https://gongxin.example.gov.cn/"
    org = make_org("珠海市测试核验协会", certificate_number="粤珠社证字第0002号")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf(org))
    squeezed = "".join(_pdftotext(path).split())
    assert f"https://gongxin.example.gov.cn/orgs/{org.uscc}/" in squeezed
    assert "扫描二维码" in squeezed


def test_the_qr_code_is_drawn_locally_for_the_given_address():
    drawing = pdf.qr_drawing("https://gongxin.example.gov.cn/credit/verify/ABC/", 80)
    (widget,) = drawing.contents
    assert widget.value == "https://gongxin.example.gov.cn/credit/verify/ABC/"
    assert (drawing.width, drawing.height) == (80, 80)
