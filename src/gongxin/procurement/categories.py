"""The category tree of the guiding catalogue of purchasable services.

The six first-level categories are those of 《政府购买服务管理办法》 (财政部令第102号) and the
guiding catalogues built on it; the second level follows the Guangdong and Zhuhai catalogues
(seed 002: 341 items under these headings). Codes are hierarchical (A, A01) so a category's
subtree is a code prefix. Reference data: ``categories_ensure`` loads it idempotently (the
catalogue import, the demo data and the tests call it)."""

from __future__ import annotations

CATEGORIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("A", "基本公共服务", [
        ("A01", "公共教育"), ("A02", "劳动就业"), ("A03", "社会保障"), ("A04", "医疗卫生"),
        ("A05", "养老服务"), ("A06", "残疾人服务"), ("A07", "公共文化"), ("A08", "公共体育"),
        ("A09", "公共安全"), ("A10", "社会救助"), ("A11", "儿童福利与青少年服务"),
    ]),
    ("B", "社会管理性服务", [
        ("B01", "社区建设与治理"), ("B02", "社会组织培育"), ("B03", "社会工作服务"), ("B04", "人民调解与法律援助"),
        ("B05", "流动人口服务"), ("B06", "志愿服务"), ("B07", "慈善公益"),
    ]),
    ("C", "行业管理与协调性服务", [
        ("C01", "行业规划与行业调查"), ("C02", "行业规范与自律"), ("C03", "行业标准制定"), ("C04", "行业统计"),
        ("C05", "行业职业资格和水平评价"), ("C06", "行业培训"), ("C07", "评比表彰与评优"),
    ]),
    ("D", "技术性服务", [
        ("D01", "科研和技术推广"), ("D02", "检验检测与监测"), ("D03", "评审评估与论证"), ("D04", "会计审计服务"),
        ("D05", "咨询服务"), ("D06", "信息化服务"),
    ]),
    ("E", "政府履职所需辅助性事项", [
        ("E01", "法律服务"), ("E02", "课题研究与政策调研"), ("E03", "会议经贸活动组织"), ("E04", "监督检查辅助"),
        ("E05", "绩效评价"), ("E06", "宣传与信息公开"), ("E07", "后勤与物业管理"),
    ]),
    ("F", "其他适宜由社会力量承担的服务事项", [("F01", "其他服务")]),
]


def categories_ensure() -> int:
    """Create the categories that are missing; returns how many were created."""
    from gongxin.procurement.models import ServiceCategory

    existing = set(ServiceCategory.objects.values_list("code", flat=True))
    created = 0
    for code, name, children in CATEGORIES:
        if code not in existing:
            ServiceCategory.objects.create(code=code, name=name)
            created += 1
        for child_code, child_name in children:
            if child_code not in existing:
                ServiceCategory.objects.create(code=child_code, name=child_name, parent_id=code)
                created += 1
    return created
