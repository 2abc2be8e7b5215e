import datetime as dt
from decimal import Decimal

import pytest

from gongxin.credit import engine
from gongxin.credit.services import penalty_decide

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def fine(actors):
    """Record a penalty on organization A as the Zhuhai officer (default: a ¥60,000 fine)."""
    serial = iter(range(1, 1000))

    def make(amount="60000", kind="fine", decided_on=TODAY, org=None, **extra):
        return penalty_decide(actor=actors["officer_zhuhai"], organization=org or actors["org_a"], kind=kind,
                              decision_number=f"珠民罚字〔2026〕{next(serial)}号", facts="未按规定开展活动",
                              legal_basis="《社会团体登记管理条例》第三十条",
                              decided_on=decided_on, amount=Decimal(amount) if amount else None,
                              today=max(TODAY, decided_on), **extra)

    return make


@pytest.fixture
def run(actors):
    def go(today=TODAY, org=None):
        return engine.evaluate(today=today, organization=org)

    return go
