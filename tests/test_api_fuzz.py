"""Schemathesis against /api/v1 in-process (Django's WSGI handler, no server): every operation
in the published OpenAPI document, generated inputs, and two checks — no 5xx, and every
response matches the schema the document declares for its status code.

Bounded (EXAMPLES per operation) and derandomized, so CI runs the same examples every time.
Note: schemathesis's lazy ``from_fixture`` loader does not work with pytest 9 (it sets
``node._nodeid``), so the schema is loaded at import; the document itself needs no database."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gongxin.credit.selectors import PURPOSES
from gongxin.procurement.models import Catalogue, FunctionTransfer, TransferableFunction

# Real rows for the endpoints to return: organizations on both credit lists and penalized
# (tests/credit), and one procurement project published through its whole life, awarded to
# organization A (tests/procurement).
from tests.credit.conftest import fine  # noqa: F401
from tests.credit.test_exports import listed  # noqa: F401
from tests.procurement.test_ocds import lifecycle, world  # noqa: F401

pytestmark = pytest.mark.django_db

# The OCDS endpoints return packages as the OCDS standard defines them, declared only as
# `object` in our document (ninja schemas can't express the OCDS schema); conformance to that
# is checked against the real OCDS schema with libcoveocds in tests/procurement/test_ocds.py.
# Here they get the 5xx check only.
RAW_OCDS = {"/ocds/releases", "/ocds/records/{ocid}", "/ocds/bulk"}
EXAMPLES = 25

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The raw WSGI handler closes the database connection when a request starts and finishes,
    which on PostgreSQL ends the test's transaction; Django's test client keeps it open the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def data(actors, listed, lifecycle):  # noqa: F811
    """Everything a profile can show: organization A is on both credit lists, penalized, was
    awarded the lifecycle project and has a government function transferred to it."""
    functions = Catalogue.objects.create(kind="functions", region_id="440400", year=2026, batch=1,
                                         title="珠海市政府职能转移目录", status="published",
                                         published_on=dt.date(2026, 1, 5))
    function = TransferableFunction.objects.create(catalogue=functions, code="ZN001", name="居家养老服务需求评估",
                                                   department_name="珠海市民政局", mode="entrust")
    FunctionTransfer.objects.create(function=function, organization=actors["org_a"],
                                    department=actors["purchaser"].department, started_on=dt.date(2026, 2, 1),
                                    guidance_until=dt.date(2029, 1, 31))
    from gongxin.procurement.ocds_bulk import bulk_build

    bulk_build()  # deployed, the bulk download files exist (docs/deploy.md, step 3)
    return {"actors": actors, "ocid": lifecycle.ocid}


@schema.parametrize()
# Generated identifiers almost never exist: most of the time swap in a real organization, OCID
# or eligibility purpose, so the profile, record and eligibility endpoints answer with rows,
# not only 404/422.
@schema.given(pick=st.sampled_from([None, "org_a", "org_b", "org_foshan"]),
              purpose=st.sampled_from([None, *PURPOSES]))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_answers_as_documented(case, pick, purpose, data):
    path = case.path_parameters or {}
    if pick and "uscc" in path:
        path["uscc"] = data["actors"][pick].uscc
    if pick and "ocid" in path:
        path["ocid"] = data["ocid"]
    if purpose and case.query is not None and "purpose" in case.query:
        case.query["purpose"] = purpose
    if case.operation.path in RAW_OCDS:
        case.call_and_validate(checks=[not_a_server_error])
    else:
        case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


def test_the_profile_lists_an_awarded_project_and_a_transferred_function_apart(data, client):
    # Found by the fuzzer: a project also has a (nullable) `function`, and was taken for a transfer.
    org = data["actors"]["org_a"]
    response = client.get(f"/api/v1/orgs/{org.uscc}")
    assert response.status_code == 200
    (purchases,) = [s for s in response.json()["sections"] if s["key"] == "purchases"]
    [project] = purchases["records"]
    assert (project["kind"], project["ocid"]) == ("project", data["ocid"])
    [transfer] = next(p for p in purchases["parts"] if p["key"] == "purchases-transfers")["records"]
    assert (transfer["kind"], transfer["function"]) == ("function_transfer", "居家养老服务需求评估")
