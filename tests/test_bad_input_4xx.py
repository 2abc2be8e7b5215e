"""Malformed input that used to answer HTTP 500 gets a 4xx with a message: a non-integer
``version`` on an application decision, ``since`` near datetime.min/max on the OCDS feed,
dates near the ends of the calendar in any form, and an oversized verification upload on the
real development server (413)."""


import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gongxin.core.forms import DATE_MAX, DateField
from gongxin.registry import applications as svc
from gongxin.registry.models import ApplicationStatus

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("version", ["abc", "1.5", "1e3"])
def test_a_non_integer_version_on_an_application_decision_is_a_400(actors, version):
    from gongxin.core.models import Region
    from tests.registry.test_applications import ESTABLISH

    app = svc.application_save(actor=actors["founder"], kind="establishment", data=ESTABLISH,
                               authority=Region.objects.get(code="440402"))
    app = svc.application_submit(actor=actors["founder"], application=app, expected_version=app.version)
    client = _english(Client())
    client.force_login(actors["officer_zhuhai"])
    response = client.post(f"/applications/{app.pk}/approve/", {"version": version})
    assert response.status_code == 400
    assert "“version” must be a whole number" in response.content.decode()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00", "0001-01-01", "0001-01-01T00:00:00%2B14:00",
                                   "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59.999999-01:00"])
def test_since_near_the_ends_of_the_calendar_is_a_422_in_the_house_shape(client, since):
    response = _english(client).get(f"/api/v1/ocds/releases?since={since}")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "since" and "out of range" in error["message"]


@pytest.mark.parametrize("since", ["0001-01-02T00:00:00", "9999-12-30T00:00:00%2B08:00"])
def test_since_just_inside_the_calendar_still_works(client, since):
    assert client.get(f"/api/v1/ocds/releases?since={since}").status_code == 200


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2100-01-01", "1899-12-31"])
def test_form_dates_are_bounded_with_a_message(value):
    from django.utils import translation

    field = DateField()
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            field.clean(value)
        assert info.value.messages == ["Enter a date between 1900-01-01 and 2099-12-31."]  # lazy: read in English
    assert field.clean(DATE_MAX.isoformat()) == DATE_MAX


def test_a_rectification_notice_issued_on_9999_12_31_is_refused_not_a_500(actors):
    from gongxin.annual.views_inspections import RectificationForm

    form = RectificationForm({"issued_on": "9999-12-31", "working_days": "20", "requirements": "整改"})
    assert not form.is_valid() and "issued_on" in form.errors


def test_every_form_date_field_is_bounded():
    """The sibling endpoints: no form anywhere uses Django's unbounded DateField directly."""
    import importlib
    import inspect
    import pkgutil

    import django.forms

    import gongxin

    unbounded = []
    for module_info in pkgutil.walk_packages(gongxin.__path__, "gongxin."):
        if ".migrations" in module_info.name or module_info.name.endswith(("settings", "wsgi", "test_settings")):
            continue
        module = importlib.import_module(module_info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, django.forms.BaseForm) and obj.__module__ == module.__name__:
                for field_name, field in getattr(obj, "base_fields", {}).items():
                    if isinstance(field, django.forms.DateField) and not isinstance(field, DateField):
                        unbounded.append(f"{obj.__module__}.{obj.__name__}.{field_name}")
    assert not unbounded


@pytest.mark.django_db(transaction=True)
def test_an_oversized_verification_upload_is_a_413_on_the_real_server(live_server, settings):
    """Through wsgiref, as runserver serves it: the test client skips the WSGI server, which is
    where the hop-by-hop "Connection: close" header turned the 413 into a 500."""
    import urllib.error
    import urllib.request

    from gongxin.credit import reports, views_verify
    from tests.conftest import build_actors, org_factory

    actors = build_actors(org_factory())
    report = reports.credit_report_issue(actor=actors["officer_zhuhai"], organization=actors["org_a"])
    boundary = "gx-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + b"%PDF" + b"0" * (views_verify.MAX_UPLOAD + 100_000) \
        + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{live_server.url}/credit/verify/{report.code}/", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                              "Cookie": "django_language=en"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=60)
    assert info.value.code == 413
    assert "The file is larger than 5 MB" in info.value.read().decode()
