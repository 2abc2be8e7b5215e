"""bench/ocds.py at a tiny scale: its generated projects in every state backfill into releases
that validate, and the three ways it writes them (streamed stored text, streamed dicts, the
standard module over a list) give the same package, so the timings compare like with like."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from gongxin.procurement import ocds
from gongxin.procurement.models import OcdsRelease, PurchaseProject

pytestmark = pytest.mark.django_db


def _load_bench():
    path = Path(__file__).resolve().parent.parent / "bench" / "ocds.py"
    spec = importlib.util.spec_from_file_location("bench_ocds", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def test_generated_projects_publish_valid_packages_written_alike(make_org):
    for i in range(6):
        make_org(f"珠海市测试社会工作服务中心{i}", region="440402")
    bench.generate(60, 2026)
    states = set(PurchaseProject.objects.values_list("status", flat=True))
    assert states == {s for s, _ in bench.STATES}
    created = ocds.releases_backfill()
    assert created == OcdsRelease.objects.count() > 60

    uri, published = "https://example.org/bulk", dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    qs = bench._queryset(50)
    assert qs.count() == 50
    streamed = json.loads("".join(ocds.stream_release_package(ocds.stored_release_texts(qs, chunk=7), uri=uri,
                                                              published_date=published)))
    from_dicts = json.loads("".join(ocds.stream_release_package(bench._dicts(qs, chunk=7), uri=uri,
                                                                published_date=published)))
    whole = ocds.release_package(list(bench._dicts(bench._queryset(0))), uri, published)
    assert streamed == from_dicts
    assert streamed["releases"] == whole["releases"][:50]
    result = ocds.validate(whole)
    assert result["validation_errors"] == [] and result["additional_closed_codelist_values"] == {}
