"""Working days on the Chinese holiday calendar (core.workdays) and the administrator's entry.

The 2026 dates below were read from chinesecalendar 1.11 and cross-checked against its own
``find_workday``: Spring Festival is off 15–23 February with Saturdays 14 and 28 February
worked; Mid-Autumn is off 25–27 September and National Day 1–7 October, with Sunday 20
September and Saturday 10 October worked. 2031 is beyond every published schedule.
"""

import datetime as dt

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError

from gongxin.accounts.models import Role, User
from gongxin.core import workdays
from gongxin.core.models import AuditEvent, WorkdayYear
from gongxin.core.services import workday_year_set
from gongxin.core.workdays import Deadline, add_workdays, is_workday, workdays_left, year_known

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Each test's rows are rolled back without a delete signal; do not let the cache outlive them.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def admin_user(db):
    return User.objects.create(username="calendar_admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


def test_package_knows_2026_but_not_2031():
    assert year_known(2026)
    assert not year_known(2031)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D("2031-03-10"))


def test_adjusted_saturday_is_a_workday_and_a_weekday_inside_the_holiday_is_not():
    assert is_workday(D("2026-02-14"))  # Saturday, 调休 for Spring Festival
    assert is_workday(D("2026-10-10"))  # Saturday, 调休 for National Day
    assert not is_workday(D("2026-02-18"))  # Wednesday, Spring Festival
    assert not is_workday(D("2026-10-05"))  # Monday, National Day
    assert not is_workday(D("2026-02-07"))  # an ordinary Saturday


def test_fifteen_working_days_jump_spring_festival_and_count_its_adjusted_saturdays():
    # Thu 12 Feb: Fri 13, Sat 14 (调休), [15–23 off], 24–27, Sat 28 (调休), 2–6 Mar, 9–11 Mar.
    deadline = add_workdays(D("2026-02-12"), 15)
    assert deadline == Deadline(D("2026-03-11"), provisional=False)
    assert deadline.date == chinese_calendar.find_workday(15, D("2026-02-12"))
    # Weekends alone would have ended on 5 March, inside the counted span: the holiday mattered.
    assert deadline.date != D("2026-03-05")


def test_fifteen_working_days_jump_mid_autumn_and_national_day_and_count_the_adjusted_weekend():
    # Wed 16 Sep: 17, 18, Sun 20 (调休), 21–24, [25–27 off], 28–30, [1–7 Oct off], 8, 9, Sat 10 (调休), 12, 13.
    deadline = add_workdays(D("2026-09-16"), 15)
    assert deadline == Deadline(D("2026-10-13"), provisional=False)
    assert deadline.date == chinese_calendar.find_workday(15, D("2026-09-16"))


def test_zero_working_days_is_the_start_itself():
    assert add_workdays(D("2026-02-15"), 0) == Deadline(D("2026-02-15"), provisional=False)
    with pytest.raises(ValueError):
        add_workdays(D("2026-02-15"), -1)


def test_deadline_in_an_unknown_year_counts_weekends_only_and_is_provisional():
    # Fri 7 Mar 2031 + 5 working days = Mon 10 .. Fri 14; + 6 skips the weekend to Mon 17.
    assert add_workdays(D("2031-03-07"), 5) == Deadline(D("2031-03-14"), provisional=True)
    assert add_workdays(D("2031-03-07"), 6) == Deadline(D("2031-03-17"), provisional=True)


def test_deadline_running_into_an_unknown_year_is_provisional():
    # 2026 is known, 2027 is not (in chinesecalendar 1.11): 1 January 2027 is a Friday.
    assert add_workdays(D("2026-12-30"), 1) == Deadline(D("2026-12-31"), provisional=False)
    assert add_workdays(D("2026-12-31"), 1) == Deadline(D("2027-01-01"), provisional=True)


def test_administrators_entry_makes_an_unknown_year_known_and_is_honoured(admin_user):
    assert add_workdays(D("2031-03-07"), 5).provisional  # cached as unknown before the entry
    workday_year_set(actor=admin_user, year=2031, holidays=["2031-03-10"], workdays=["2031-03-15"],
                     note="国办发明电〔2030〕X号")
    assert year_known(2031)
    assert not is_workday(D("2031-03-10"))  # a holiday Monday
    assert is_workday(D("2031-03-15"))  # an adjusted Saturday
    # Tue 11, 12, 13, Fri 14, Sat 15: the Monday is skipped, the Saturday counted.
    assert add_workdays(D("2031-03-07"), 5) == Deadline(D("2031-03-15"), provisional=False)


def test_administrators_entry_overrides_the_package(admin_user):
    workday_year_set(actor=admin_user, year=2026, holidays=["2026-03-02"], workdays=[])
    assert not is_workday(D("2026-03-02"))
    assert not is_workday(D("2026-02-14"))  # the entry replaces the whole year, 调休 included


def test_one_query_per_year_per_process(django_assert_num_queries):
    with django_assert_num_queries(2):  # 2026 and 2027
        add_workdays(D("2026-12-20"), 15)
    with django_assert_num_queries(0):
        add_workdays(D("2026-12-20"), 15)
        workdays_left(D("2026-12-20"), D("2027-01-10"))


@pytest.mark.parametrize(
    ("holidays", "adjusted", "field"),
    [
        (["2031-03-10"], ["2031-03-10"], "workdays"),  # both lists
        (["2030-12-31"], [], "holidays"),  # wrong year
        ([], ["2032-01-03"], "workdays"),  # wrong year
        ([], ["2031-03-12"], "workdays"),  # a Wednesday is a working day anyway
        (["31 March"], [], "holidays"),  # not a date
    ],
)
def test_service_refuses_an_inconsistent_schedule(admin_user, holidays, adjusted, field):
    with pytest.raises(ValidationError) as excinfo:
        workday_year_set(actor=admin_user, year=2031, holidays=holidays, workdays=adjusted)
    assert field in excinfo.value.message_dict
    assert not WorkdayYear.objects.exists()
    assert not AuditEvent.objects.filter(action="workday_year.set").exists()


def test_service_writes_an_audit_event_with_before_and_after(admin_user):
    workday_year_set(actor=admin_user, year=2031, holidays=["2031-03-11", "2031-03-10"], workdays=[])
    workday_year_set(actor=admin_user, year=2031, holidays=["2031-03-10"], workdays=["2031-03-15"], note="更正")
    first, second = AuditEvent.objects.filter(action="workday_year.set").order_by("id")
    assert (first.actor_id, first.object_type, first.object_id) == (admin_user.pk, "core.workdayyear", "2031")
    assert first.before is None
    assert first.after == {"holidays": ["2031-03-10", "2031-03-11"], "workdays": [], "note": ""}
    assert second.before == first.after
    assert second.after == {"holidays": ["2031-03-10"], "workdays": ["2031-03-15"], "note": "更正"}
    entry = WorkdayYear.objects.get()
    assert entry.entered_by == admin_user and entry.holidays == ["2031-03-10"]


def test_admin_edit_goes_through_the_service_and_is_audited(client, admin_user):
    client.force_login(admin_user)
    url = "/admin/core/workdayyear/add/"
    bad = client.post(url, {"year": 2031, "holidays": '["2031-03-10"]', "workdays": '["2031-03-10"]', "note": ""})
    assert bad.status_code == 200 and not WorkdayYear.objects.exists()
    response = client.post(url, {"year": 2031, "holidays": '["2031-03-10"]', "workdays": '["2031-03-15"]',
                                 "note": ""})
    assert response.status_code == 302
    assert WorkdayYear.objects.get().entered_by == admin_user
    assert AuditEvent.objects.filter(action="workday_year.set", object_id="2031", actor=admin_user).exists()


@pytest.mark.parametrize(
    ("today", "deadline", "left"),
    [
        ("2026-02-13", "2026-02-24", 2),  # Sat 14 (调休) and Tue 24; the holiday counts nothing
        ("2026-02-16", "2026-02-24", 1),  # inside the holiday: only the 24th remains
        ("2026-02-23", "2026-02-24", 1),
        ("2026-02-24", "2026-02-24", 0),  # due today
        ("2026-02-13", "2026-02-12", -1),
        ("2026-02-15", "2026-02-13", -1),  # the adjusted Saturday was the first day late
        ("2026-02-20", "2026-02-13", -1),  # the holiday adds no lateness
        ("2026-02-24", "2026-02-13", -2),  # Sat 14 and Tue 24
        ("2026-02-08", "2026-02-06", -1),  # missed on Friday: overdue on the weekend already
    ],
)
def test_workdays_left_across_spring_festival(today, deadline, left):
    assert workdays_left(D(today), D(deadline)) == left
