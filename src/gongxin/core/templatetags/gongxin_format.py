"""Amounts as each language writes them: registered capital is kept in 万元 (ten thousand
yuan), which Chinese says as it is ("5 万元") and English readers need in yuan ("¥50,000")."""

from decimal import Decimal

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def wan_yuan(amount) -> str:
    """An amount in 万元 for display: "5 万元" / "17.84 万元" in Chinese, "¥50,000" /
    "¥178,400" in any other language."""
    if amount in (None, ""):
        return "—"
    value = Decimal(str(amount))
    if (translation.get_language() or "").startswith("zh"):
        return f"{value.normalize():f} 万元"
    yuan = value * 10000
    return f"¥{yuan:,.0f}" if yuan == yuan.to_integral_value() else f"¥{yuan:,.2f}"
