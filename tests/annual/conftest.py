import datetime as dt
from decimal import Decimal

import pytest

COMPLETE = {
    "total_assets": Decimal("500000.00"), "total_liabilities": Decimal("100000.00"),
    "net_assets": Decimal("400000.00"), "income": Decimal("300000.00"), "expenses": Decimal("280000.00"),
    "staff_count": 5, "activity_count": 12, "activities": "举办行业培训 6 场、年会 1 次。",
    "compliance": "遵守法律法规和国家政策。", "party_org_established": True,
    "self_governance_check": ["self_initiated", "self_funded"],
}


@pytest.fixture
def complete_content():
    return dict(COMPLETE)


@pytest.fixture
def report_year():
    return 2025


@pytest.fixture
def on_time(time_machine):
    """Inside the reporting season for 2025 reports: before the sponsor and authority deadlines."""
    time_machine.move_to(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
