"""Shared fixtures: the canonical actors of DESIGN.md and an organization factory that goes
through the real registration service."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.test import Client

from gongxin.accounts.models import Role, User
from gongxin.core import regions, uscc
from gongxin.core.models import Region
from gongxin.registry.models import USCC_TYPE_DIGIT, OrgStatus, OrgType, SponsorUnit
from gongxin.registry.services import organization_register

_serial = itertools.count(1)


def org_factory():
    """``make(name, region=, org_type=, **fields)``: an organization registered through the
    real service. Transactional tests (browser, worker) end with a flush that empties the
    migrated region table too; put it back for whichever test comes next."""
    regions.load_into(Region)

    def make(name: str, region: str = "440402", org_type: str = OrgType.SOCIAL_GROUP, **extra):
        authority = Region.objects.get(code=region)
        serial = next(_serial)
        fields = {
            "uscc": uscc.generate(org_type=USCC_TYPE_DIGIT[org_type], region_code=region, serial=serial),
            "name": name,
            "org_type": org_type,
            "registration_authority": authority,
            "legal_representative": extra.pop("legal_representative", "张伟"),
            "address": f"{authority.name}测试路{serial}号",
            "business_scope": "行业自律、信息交流",
            "established_on": extra.pop("established_on", dt.date(2015, 7, 1)),
            "registered_capital": Decimal("10.00"),
            "status": extra.pop("status", OrgStatus.ACTIVE),
            **extra,
        }
        return organization_register(actor=None, **fields)

    return make


@pytest.fixture
def make_org(db):
    return org_factory()


def _user(username, role, **kw):
    user = User(username=username, role=role, display_name=username, **kw)
    user.set_password("Correct-horse-9")
    user.save()
    return user


@pytest.fixture
def actors(db, make_org):
    """Every canonical actor, with two Zhuhai organizations A and B and a Foshan one."""
    return build_actors(make_org)


def build_actors(make_org) -> dict:
    sponsor_unit = SponsorUnit.objects.create(name="珠海市科学技术协会", region_id="440400")
    org_a = make_org("珠海市测试甲行业协会", region="440402", subtype="industry_association")
    org_b = make_org("珠海市测试乙学会", region="440400", subtype="academic", sponsor_unit=sponsor_unit)
    org_f = make_org("佛山市测试丙协会", region="440604")
    from gongxin.procurement.models import Department

    # The purchaser's department; "another department" is the same city's 珠海市卫生健康局.
    department = Department.objects.create(name="珠海市民政局", region_id="440400", region_prefix="4404",
                                           uscc="11440400007045999X")
    Department.objects.create(name="珠海市卫生健康局", region_id="440400", region_prefix="4404")
    return {
        "org_a": org_a,
        "org_b": org_b,
        "org_foshan": org_f,
        "public": None,
        "org_user_a": _user("org_a", Role.ORG_USER, organization=org_a),
        "org_user_b": _user("org_b", Role.ORG_USER, organization=org_b),
        "founder": _user("founder", Role.FOUNDER),
        "officer_zhuhai": _user("officer_zh", Role.OFFICER, jurisdiction_id="440400"),
        "officer_foshan": _user("officer_fs", Role.OFFICER, jurisdiction_id="440600"),
        "sponsor": _user("sponsor", Role.SPONSOR, sponsor_unit=sponsor_unit),
        "purchaser": _user("purchaser", Role.PURCHASER, unit_name="珠海市民政局", department=department),
        "evaluator": _user("evaluator", Role.EVALUATOR, unit_name="评估中心"),
        "admin": _user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def client_for(actors):
    def get(name: str) -> Client:
        client = Client()
        if actors[name] is not None:
            client.force_login(actors[name])
        return client

    return get


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    """Transactional tests (the browser tests, the task worker) commit to the database, which
    pytest-django empties after each of them: let that flush past the append-only audit
    trigger (a SQLite function, a PostgreSQL session setting), and only that."""
    from django.db import connection

    from gongxin.core import audit

    transactional = "transactional_db" in getattr(item, "fixturenames", ()) or any(
        m.kwargs.get("transaction") for m in item.iter_markers("django_db"))
    if not transactional:
        yield
        return
    audit._audit_locked = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET gongxin.audit_unlocked = 'on'")
    try:
        yield
    finally:
        audit._audit_locked = True
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET gongxin.audit_unlocked")


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """Jurisdiction policies are cached per process; a rolled-back test's policy must not leak."""
    from gongxin.registry.policy import policy_cache_clear

    policy_cache_clear()
    yield
    policy_cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit and aggregation counters live in the cache (core/ratelimit.py): one test's
    sign-ins must not count against the next one's."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded and generated files (reports, PDFs, exports) go to a temporary directory, not
    the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # So are the audit checkpoints the nightly run writes, and the generated OCDS bulk files.
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path_factory.mktemp("checkpoints"))
    settings.OCDS_BULK_DIR = str(tmp_path_factory.mktemp("ocds-bulk"))
