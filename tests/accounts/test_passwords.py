"""The password policy: length, three of four character classes, not like the username, not
common, and none of the last five passwords."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from gongxin.accounts.models import PasswordHistory, User
from gongxin.accounts.passwords import character_classes
from tests.accounts.security_wiring import wire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policy(settings):
    wire(settings)


def codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def change(client, old, new):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_a_password_needs_twelve_characters():
    assert "password_too_short" in codes("Gx-2026-abcd"[:11])
    assert codes("Gx-2026-abcd") == set()


def test_a_password_needs_three_of_the_four_character_classes():
    assert codes("zhuhaiminzhengju") == {"password_too_uniform"}  # lower only
    assert codes("zhuhaiminzheng42") == {"password_too_uniform"}  # lower and digits
    assert codes("Zhuhaiminzheng42") == set()  # upper, lower, digits
    assert codes("zhuhai minzheng!") == {"password_too_uniform"}  # lower and other
    assert codes("zhuhai-minzheng42") == set()  # lower, digits, other


def test_chinese_characters_count_as_the_other_class():
    assert character_classes("珠海民政") == 1
    assert codes("珠海市民政局gongxin2026") == set()  # other, lower, digits


def test_a_password_like_the_username_or_a_common_one_is_refused(actors):
    officer = actors["officer_zhuhai"]  # username officer_zh
    assert "password_too_similar" in codes("Officer_zh2026", officer)
    assert "password_too_common" in codes("Password1234")
    assert "password_entirely_numeric" in codes("202620262026")


def test_none_of_the_last_five_passwords_can_be_chosen_again(actors):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the message is asserted in English
    client.force_login(actors["officer_zhuhai"])
    passwords = ["Correct-horse-9"] + [f"Zhuhai-Gongxin-{n}x" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new).status_code == 302, new
    current = passwords[-1]
    for reused in passwords[-5:]:  # the current one and the four before it
        response = change(client, current, reused)
        assert response.status_code == 200
        assert "This password was used recently" in response.content.decode()
    # The sixth back has dropped out of the history.
    assert change(client, current, passwords[0]).status_code == 302


def test_the_history_keeps_five_hashes_and_never_a_password(actors):
    user = actors["founder"]
    for n in range(8):
        user.set_password(f"Founder-pass-{n}x")
        user.save()
    hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(hashes) == 5
    assert hashes[0] == User.objects.get(pk=user.pk).password
    assert not any("Founder-pass" in h for h in hashes)


def test_a_password_change_records_when_it_happened(actors):
    client = Client()
    client.force_login(actors["founder"])
    assert User.objects.get(username="founder").password_changed_at is not None  # set on creation
    User.objects.filter(username="founder").update(password_changed_at=None)
    assert change(client, "Correct-horse-9", "Founder-New-pass-1").status_code == 302
    assert User.objects.get(username="founder").password_changed_at is not None


def test_the_change_page_explains_the_policy(actors, settings):
    client = Client()
    client.force_login(actors["founder"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/accounts/password/").content.decode()
    assert "at least 12 characters" in page
    assert "at least 3 of: upper-case letters, lower-case letters, digits, and other characters" in page
    assert "cannot be one of your last 5 passwords" in page
