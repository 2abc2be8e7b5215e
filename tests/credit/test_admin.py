"""Credit data in the admin is read-only: the procedure and its audit cannot be bypassed."""

from gongxin.credit import engine

from .conftest import TODAY


def test_admin_lists_credit_data_but_cannot_change_it(actors, fine, client):
    penalty = fine("60000")
    engine.evaluate(organization=actors["org_a"], today=TODAY)
    client.force_login(actors["admin"])
    for url in ["/admin/credit/penalty/", "/admin/credit/listentry/", "/admin/credit/creditrun/",
                "/admin/credit/personbadrecord/", "/admin/credit/creditrecord/", "/admin/credit/bannedorganization/"]:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/admin/credit/penalty/{penalty.pk}/change/").status_code == 200  # a read-only view
    assert client.post(f"/admin/credit/penalty/{penalty.pk}/change/", {"decision_number": "x"}).status_code == 403
    assert client.get("/admin/credit/penalty/add/").status_code == 403
    assert client.post(f"/admin/credit/penalty/{penalty.pk}/delete/", {"post": "yes"}).status_code == 403
