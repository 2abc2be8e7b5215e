"""Purchase projects: creating from the catalogue, the 15-day publicity rule at its boundary
(and a jurisdiction asking 20), editing drafts only, cancellation, the purchaser's list with
its filters, export and pinned query count, and another department's 404."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongxin.core.exports import export_run_now
from gongxin.core.models import AuditEvent, ExportJob
from gongxin.procurement import services
from gongxin.procurement.models import ProjectStatus, PurchaseProject
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import JurisdictionPolicy
from gongxin.registry.services import StaleEdit
from tests.procurement.factories_projects import (
    TODAY,
    at,
    catalogue_service,
    draft,
    project_values,
    publicized,
)

pytestmark = pytest.mark.django_db
W = "/procurement/work"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    at(time_machine, TODAY)


@pytest.fixture
def en(client_for):
    def get(name):
        client = client_for(name)
        client.cookies["django_language"] = "en"
        return client

    return get


def test_a_purchaser_creates_a_draft_from_a_catalogue_service_with_an_ocid(actors, settings):
    project = draft(actors)
    assert project.status == ProjectStatus.DRAFT
    assert project.department == actors["purchaser"].department
    assert project.region_id == "440400" and project.region_prefix == "4404"
    assert project.ocid == f"{settings.OCDS_PREFIX}-{project.pk}"
    assert project.category_id == project.service.category_id
    assert AuditEvent.objects.filter(action="procurement.project_create", object_id=str(project.pk)).exists()


def test_a_service_outside_the_catalogue_in_force_is_refused(actors):
    foshan_service = catalogue_service(region="440600", code="B0101")
    with pytest.raises(ValidationError) as exc:
        draft(actors, service=foshan_service)
    assert "service" in exc.value.message_dict


def test_only_a_purchaser_creates_projects(actors):
    with pytest.raises(NotAllowed):
        services.project_create(actor=actors["officer_zhuhai"], service=catalogue_service(), **project_values())


@pytest.mark.parametrize("days, allowed", [(15, True), (14, False), (16, True)])
def test_procurement_starts_at_least_15_days_after_publicity(actors, days, allowed):
    project = draft(actors, start_in_days=days)
    if allowed:
        project = services.project_publicize(actor=actors["purchaser"], project=project,
                                             expected_version=project.version, today=TODAY)
        assert project.status == ProjectStatus.PUBLICIZED and project.publicized_on == TODAY
    else:
        with pytest.raises(ValidationError) as exc:
            services.project_publicize(actor=actors["purchaser"], project=project, expected_version=project.version,
                                       today=TODAY)
        message = " ".join(exc.value.message_dict["procurement_starts_on"])
        assert "2026-03-17" in message  # the earliest allowed date: TODAY + 15
        project.refresh_from_db()
        assert project.status == ProjectStatus.DRAFT and project.publicized_on is None


@pytest.mark.parametrize("days, allowed", [(20, True), (19, False), (15, False)])
def test_a_jurisdiction_asking_20_days_of_publicity_is_obeyed(actors, days, allowed):
    JurisdictionPolicy.objects.create(region_id="440400", procurement_publicity_days=20)
    project = draft(actors, start_in_days=days)
    if allowed:
        services.project_publicize(actor=actors["purchaser"], project=project, expected_version=project.version,
                                   today=TODAY)
    else:
        with pytest.raises(ValidationError) as exc:
            services.project_publicize(actor=actors["purchaser"], project=project, expected_version=project.version,
                                       today=TODAY)
        assert "2026-03-22" in " ".join(exc.value.message_dict["procurement_starts_on"])


def test_the_publicize_page_states_the_rule_and_refuses_14_days(actors, en):
    project = draft(actors, start_in_days=14)
    page = en("purchaser").get(f"{W}/projects/{project.pk}/publicize/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="publicity-rule"' in html
    assert "at least 15 calendar days" in html and "2026-03-17" in html
    response = en("purchaser").post(f"{W}/projects/{project.pk}/publicize/",
                                    {"version": project.version, "confirm": "on"})
    assert response.status_code == 400
    assert "2026-03-17" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_publicizing_through_the_page_opens_applications(actors, en):
    project = draft(actors)
    response = en("purchaser").post(f"{W}/projects/{project.pk}/publicize/", {"version": project.version,
                                                                             "confirm": "on"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLICIZED and project.publicized_on == TODAY


def test_a_stale_publicize_is_refused(actors):
    project = draft(actors)
    with pytest.raises(StaleEdit):
        services.project_publicize(actor=actors["purchaser"], project=project, expected_version=project.version + 1,
                                   today=TODAY)


def test_only_a_draft_is_edited(actors, en):
    project = draft(actors)
    data = {**{k: v for k, v in project_values().items()}, "service": project.service_id, "year": 2026,
            "version": project.version, "title": "改名后的项目", "require_qualified": "on"}
    response = en("purchaser").post(f"{W}/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "改名后的项目" and project.version == 2
    services.project_publicize(actor=actors["purchaser"], project=project, expected_version=project.version,
                               today=TODAY)
    response = en("purchaser").get(f"{W}/projects/{project.pk}/edit/")
    assert response.status_code == 302  # back to the workspace with a message


def test_the_create_page_saves_a_draft(actors, en):
    service = catalogue_service()
    values = project_values()
    data = {**values, "service": service.pk, "year": 2026, "require_qualified": "on", "min_grade": "3"}
    response = en("purchaser").post(f"{W}/projects/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project = PurchaseProject.objects.get()
    assert project.min_grade == 3 and project.budget == Decimal("500000.00")


def test_cancelling_needs_a_reason_and_confirmation(actors, en):
    project = publicized(actors)
    url = f"{W}/projects/{project.pk}/cancel/"
    assert en("purchaser").get(url).status_code == 200
    response = en("purchaser").post(url, {"version": project.version, "reason": "预算调整"})
    assert response.status_code == 400
    response = en("purchaser").post(url, {"version": project.version, "reason": "预算调整", "confirm": "on"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED and project.cancelled_reason == "预算调整"


def test_a_purchaser_of_another_department_gets_404_on_page_and_post(actors, client_for):
    from gongxin.accounts.models import Role, User
    from gongxin.procurement.models import Department

    other = User.objects.create(username="health", role=Role.PURCHASER,
                                department=Department.objects.get(name="珠海市卫生健康局"))
    project = publicized(actors)
    client = client_for("purchaser")
    client.force_login(other)
    for url in (f"{W}/projects/{project.pk}/", f"{W}/projects/{project.pk}/cancel/",
                f"{W}/projects/{project.pk}/edit/"):
        assert client.get(url).status_code == 404, url
    for url, data in ((f"{W}/projects/{project.pk}/award/", {}),
                      (f"{W}/projects/{project.pk}/cancel/", {"version": 1, "reason": "x", "confirm": "on"}),
                      (f"{W}/projects/{project.pk}/publicize/", {"version": 1, "confirm": "on"})):
        assert client.post(url, data).status_code == 404, url
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLICIZED
    assert project.title not in client.get(f"{W}/projects/").content.decode()


def _many_projects(actors, n):
    for i in range(n):
        p = draft(actors, title=f"项目{i}", budget=Decimal(100000 + i))
        if i % 2:
            services.project_publicize(actor=actors["purchaser"], project=p, expected_version=p.version, today=TODAY)


def test_the_list_filters_sorts_and_pages(actors, en):
    _many_projects(actors, 25)
    client = en("purchaser")
    html = client.get(f"{W}/projects/").content.decode()
    assert html.count('data-testid="project-row"') == 20 and "25 projects" in html
    html = client.get(f"{W}/projects/?status=publicized").content.decode()
    assert html.count('data-testid="project-row"') == 12
    html = client.get(f"{W}/projects/?sort=-budget").content.decode()
    assert html.index("项目24") < html.index("项目23")
    html = client.get(f"{W}/projects/?method=project_application").content.decode()
    assert 'data-testid="empty"' in html and "No project matches these filters." in html


def test_the_list_page_query_count_is_pinned(actors, en, django_assert_num_queries):
    _many_projects(actors, 5)
    client = en("purchaser")
    client.get(f"{W}/projects/")  # warm the session and the policy caches
    # The session (read, then saved in a savepoint: 4), the user, the department's name, the
    # page's count and rows (joins and the bid count in the same statement), the years filter.
    with django_assert_num_queries(9):
        client.get(f"{W}/projects/")
    _many_projects(actors, 10)
    with django_assert_num_queries(9):
        client.get(f"{W}/projects/")


def test_the_list_exports_to_excel(actors, client_for):
    import openpyxl

    _many_projects(actors, 3)
    response = client_for("purchaser").post(f"{W}/projects/export/", {"status": "draft"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    export_run_now(str(job.id))
    job.refresh_from_db()
    sheet = openpyxl.load_workbook(job.file.path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 2  # header + the two drafts (the odd one is publicized)
    assert all("项目" in r[1] for r in rows[1:])


def test_the_officer_supervises_its_jurisdiction_read_only(actors, en):
    project = publicized(actors)
    html = en("officer_zhuhai").get(f"{W}/supervision/").content.decode()
    assert project.title in html
    assert project.title not in en("officer_foshan").get(f"{W}/supervision/").content.decode()
    page = en("officer_zhuhai").get(f"{W}/projects/{project.pk}/").content.decode()
    assert 'data-testid="actions"' not in page and 'data-testid="cancel"' not in page
    assert en("officer_foshan").get(f"{W}/projects/{project.pk}/").status_code == 404


def test_the_officer_does_not_see_a_department_s_drafts(actors, en):
    draft = services.project_create(actor=actors["purchaser"], service=catalogue_service(), **project_values())
    assert draft.status == ProjectStatus.DRAFT
    assert draft.title not in en("officer_zhuhai").get(f"{W}/supervision/").content.decode()
    assert en("officer_zhuhai").get(f"{W}/projects/{draft.pk}/").status_code == 404


def test_the_15_day_rule_is_named_not_an_internal_reference(actors, client_for):
    project = draft(actors, start_in_days=14)
    client = client_for("purchaser")  # Chinese, the default
    for url in (f"{W}/projects/{project.pk}/", f"{W}/projects/{project.pk}/publicize/", f"{W}/projects/{project.pk}/edit/"):
        html = client.get(url).content.decode()
        assert "seed" not in html, url
    assert "珠海市政府购买社会组织服务项目信息公示 15 日规则" in client.get(f"{W}/projects/{project.pk}/publicize/").content.decode()


def test_the_15_day_warning_goes_once_the_date_is_fixed(actors, en):
    too_early = draft(actors, start_in_days=14)
    html = en("purchaser").get(f"{W}/projects/{too_early.pk}/").content.decode()
    assert 'data-testid="publicity-hint"' in html and 'data-testid="publicity-ok"' not in html
    fixed = draft(actors, start_in_days=20)
    html = en("purchaser").get(f"{W}/projects/{fixed.pk}/").content.decode()
    assert 'data-testid="publicity-hint"' not in html and 'data-testid="publicity-ok"' in html
