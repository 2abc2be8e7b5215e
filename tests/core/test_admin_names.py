import pytest

pytestmark = pytest.mark.django_db


def test_the_administration_names_the_third_party_apps_in_chinese(client_for):
    page = client_for("admin").get("/admin/").content.decode()
    for name in ("登录尝试与锁定", "身份验证器（TOTP）设备", "后台任务"):
        assert name in page, name
    for raw in (">Axes<", ">OTP_TOTP<", ">Tasks Database Backend<"):
        assert raw not in page, raw
