"""Each role's workspace (/accounts/) shows its to-dos: due and overdue items and items awaiting
its action, with counts and links, gathered from every app through core.todos."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from gongxin.core import todos
from gongxin.credit import engine
from gongxin.credit.models import ListEntry, ListingStatus
from gongxin.credit.services import listing_confirm, penalty_decide

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False)


def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_organization_sees_its_overdue_report_its_listing_and_its_fresh_penalty(actors, client_for):
    org = actors["org_a"]
    penalty_decide(actor=actors["officer_zhuhai"], organization=org, kind="warning", decision_number="珠民罚字〔2026〕1号",
                   facts="未按规定开展活动", legal_basis="《社会团体登记管理条例》第三十条", decided_on=TODAY,
                   amount=None, today=TODAY)
    engine.evaluate(organization=org, today=TODAY)
    entry = ListEntry.objects.filter(organization=org, status=ListingStatus.NOTICED).first()
    listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                    today=entry.objection_due + dt.timedelta(days=1))

    page = en(client_for("org_user_a")).get("/accounts/").content.decode()
    assert 'data-testid="todos"' in page
    assert "The 2025 annual work report is overdue" in page and 'href="/annual/2025/edit/"' in page
    assert "Your organization is on the abnormal activity list" in page.replace("Abnormal", "abnormal")
    assert "Administrative penalties in the last 90 days" in page
    assert "modules are enabled" not in page  # the old placeholder


def test_the_officer_sees_what_awaits_a_decision_in_the_jurisdiction_only(actors, client_for):
    penalty_decide(actor=actors["officer_zhuhai"], organization=actors["org_a"], kind="fine",
                   decision_number="珠民罚字〔2026〕2号", facts="违规收费", legal_basis="《社会团体登记管理条例》第三十条",
                   decided_on=dt.date(2026, 10, 1), amount=Decimal("60000"), today=dt.date(2026, 10, 1))
    engine.evaluate(organization=actors["org_a"], today=dt.date(2026, 10, 1))
    zhuhai = en(client_for("officer_zhuhai")).get("/accounts/").content.decode()
    assert "Notices whose objection period is over: list or withdraw" in zhuhai
    assert 'href="/credit/manage/?tab=awaiting"' in zhuhai
    foshan = en(client_for("officer_foshan")).get("/accounts/").content.decode()
    assert "Notices whose objection period is over" not in foshan


@pytest.mark.parametrize("role", ["founder", "purchaser", "evaluator", "sponsor", "admin", "org_user_b"])
def test_every_role_has_a_to_do_section_instead_of_a_placeholder(actors, client_for, role):
    page = en(client_for(role)).get("/accounts/").content.decode()
    assert 'data-testid="todos"' in page
    assert "modules are enabled" not in page


def test_to_dos_are_ordered_overdue_first_and_empty_ones_are_left_out(actors, monkeypatch):
    monkeypatch.setattr(todos, "PROVIDERS", [])

    @todos.register("purchaser")
    def provider(actor, today):
        return [todos.Todo("later", 2, "/a/", todos.INFO), todos.Todo("nothing", 0, "/b/", todos.OVERDUE),
                todos.Todo("first", 1, "/c/", todos.OVERDUE), todos.Todo("then", 3, "/d/", todos.WAITING)]

    @todos.register("evaluator")
    def other(actor, today):
        raise AssertionError("not the purchaser's")

    assert [t.label for t in todos.todos_for(actors["purchaser"], TODAY)] == ["first", "then", "later"]


def test_the_workspace_imports_no_domain_app_for_its_to_dos():
    source = Path(__file__).parents[2] / "src/gongxin/accounts/views.py"
    imported = {node.module for node in ast.walk(ast.parse(source.read_text())) if isinstance(node, ast.ImportFrom)}
    assert "gongxin.core.todos" in imported
    assert not any(m and m.split(".")[1] in ("annual", "credit", "procurement", "evaluation") for m in imported
                   if m.startswith("gongxin."))
