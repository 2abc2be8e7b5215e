"""Branch filing publishes an organization's text on its public profile at once (issue 13, item
13): lengths and the number of entries are limited, and the registration authority can hide an
entry with a reason (confirmed, audited) and publish it again."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction

from gongxin.core.models import AuditEvent
from gongxin.registry import applications as svc
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import BRANCH_LIMIT, Branch

pytestmark = pytest.mark.django_db


def _file(actors, name="珠海市测试甲行业协会香洲分会", **extra):
    return svc.branch_file(actor=actors["org_user_a"], organization=actors["org_a"], name=name, kind="branch", **extra)


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_form_refuses_a_name_or_leader_over_the_limit(actors, client):
    client.force_login(actors["org_user_a"])
    client.post("/applications/branches/", {"name": "长" * 129, "kind": "branch"})
    client.post("/applications/branches/", {"name": "香洲分会", "kind": "branch", "leader": "长" * 65})
    assert not Branch.objects.exists()
    with pytest.raises(ValidationError):
        _file(actors, name="长" * 129)


def test_the_database_refuses_over_long_text_too(actors):
    # SQLite does not enforce varchar(n); the check constraint does (PostgreSQL refuses both ways).
    table = connection.ops.quote_name(Branch._meta.db_table)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (organization_id, name, kind, leader, hidden_reason) "
                       "VALUES (%s, %s, 'branch', '', '')", [actors["org_a"].pk, "长" * 5000])


def test_an_organization_files_at_most_the_limit_of_branches(actors):
    Branch.objects.bulk_create([Branch(organization=actors["org_a"], name=f"第{i}分会") for i in range(BRANCH_LIMIT)])
    with pytest.raises(ValidationError, match=str(BRANCH_LIMIT)):
        _file(actors)
    assert actors["org_a"].branches.count() == BRANCH_LIMIT


def test_a_zero_width_copy_of_a_filed_branch_is_the_same_branch(actors):
    _file(actors, leader="陈\u200b红")
    assert Branch.objects.get().leader == "陈红"
    with pytest.raises(ValidationError):
        _file(actors, name="珠海市测试甲行业协会\u200b香洲分会")
    with pytest.raises(ValidationError):
        _file(actors, name="珠海市测试甲行业协会\u202e会分洲香")


def test_the_authority_hides_a_branch_with_a_reason_after_confirming(actors, client_for):
    branch = _file(actors, name="珠海市测试甲行业协会投资理财分会")
    org = actors["org_a"]
    officer = _en(client_for("officer_zhuhai"))
    url = f"/orgs/{org.uscc}/branches/{branch.pk}/hide/"
    page = officer.get(url).content.decode()
    assert "珠海市测试甲行业协会投资理财分会" in page and 'name="confirm"' in page
    # Without the confirmation or the reason nothing happens.
    assert "Tick the box to confirm." in officer.post(url, {"reason": "名称含有误导公众的内容"}).content.decode()
    assert officer.post(url, {"confirm": "on"}).status_code == 200
    branch.refresh_from_db()
    assert not branch.is_hidden
    response = officer.post(url, {"reason": "名称含有误导公众的内容", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"/orgs/{org.uscc}/branches/"
    branch.refresh_from_db()
    assert branch.is_hidden and branch.hidden_by == actors["officer_zhuhai"]
    event = AuditEvent.objects.get(action="branch.hide", object_id=str(branch.pk))
    assert (event.before["hidden"], event.after["hidden"], event.after["hidden_reason"]) == (
        False, True, "名称含有误导公众的内容")
    # Gone from the public profile and the API ...
    public = client_for("public")
    assert "投资理财分会" not in public.get(f"/orgs/{org.uscc}/").content.decode()
    assert public.get(f"/api/v1/orgs/{org.uscc}").json()["branches"] == []
    # ... still shown to the officer, marked hidden with the reason, and to the organization.
    listing = officer.get(f"/orgs/{org.uscc}/branches/").content.decode()
    assert "投资理财分会" in listing and "名称含有误导公众的内容" in listing and 'data-testid="hidden-branch"' in listing
    own = client_for("org_user_a").get("/applications/").content.decode()
    assert "投资理财分会" in own and "名称含有误导公众的内容" in own


def test_the_authority_publishes_a_hidden_branch_again(actors, client_for):
    branch = svc.branch_hide(actor=actors["officer_zhuhai"], branch=_file(actors), reason="待核实")
    officer = _en(client_for("officer_zhuhai"))
    url = f"/orgs/{actors['org_a'].uscc}/branches/{branch.pk}/unhide/"
    assert "待核实" in officer.get(url).content.decode()
    assert officer.post(url, {}).status_code == 200  # the confirmation is required
    assert officer.post(url, {"confirm": "on"}).status_code == 302
    branch.refresh_from_db()
    assert not branch.is_hidden and branch.hidden_reason == ""
    event = AuditEvent.objects.get(action="branch.unhide")
    assert event.before["hidden_reason"] == "待核实" and event.after["hidden"] is False
    assert "珠海市测试甲行业协会香洲分会" in client_for("public").get(f"/orgs/{actors['org_a'].uscc}/").content.decode()


def test_only_the_registration_authority_may_hide(actors, client_for):
    branch = _file(actors)
    for name in ("officer_foshan", "org_user_a", "sponsor"):
        with pytest.raises(NotAllowed):
            svc.branch_hide(actor=actors[name], branch=branch, reason="不宜公开")
        url = f"/orgs/{actors['org_a'].uscc}/branches/{branch.pk}/hide/"
        assert client_for(name).post(url, {"reason": "不宜公开", "confirm": "on"}).status_code == 404
    # A branch of another organization through this organization's URL: 404 as well.
    other = svc.branch_file(actor=actors["org_user_b"], organization=actors["org_b"], name="乙学会分会", kind="branch")
    assert client_for("officer_zhuhai").get(f"/orgs/{actors['org_a'].uscc}/branches/{other.pk}/hide/").status_code == 404
    branch.refresh_from_db()
    assert not branch.is_hidden


def test_hiding_needs_a_reason_and_happens_once(actors):
    branch = _file(actors)
    with pytest.raises(ValidationError):
        svc.branch_hide(actor=actors["officer_zhuhai"], branch=branch, reason="  ")
    svc.branch_hide(actor=actors["officer_zhuhai"], branch=branch, reason="不宜公开")
    with pytest.raises(ValidationError):
        svc.branch_hide(actor=actors["officer_zhuhai"], branch=branch, reason="不宜公开")
    assert AuditEvent.objects.filter(action="branch.hide").count() == 1


def test_the_profile_links_the_managing_officer_to_the_review(actors, client_for):
    _file(actors)
    link = f'href="/orgs/{actors["org_a"].uscc}/branches/"'
    assert link in client_for("officer_zhuhai").get(f"/orgs/{actors['org_a'].uscc}/").content.decode()
    for name in ("public", "officer_foshan", "org_user_a"):
        assert link not in client_for(name).get(f"/orgs/{actors['org_a'].uscc}/").content.decode()
