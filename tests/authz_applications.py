"""Authorization expectations for registration applications and certificates."""

from tests.authz import every, only


def setup(actors) -> dict:
    from gongxin.core.models import Region
    from gongxin.registry import applications as svc
    from gongxin.registry.models import Organization

    data = {"name": "珠海市授权测试协会", "org_type": "social_group", "legal_representative": "李明",
            "address": "珠海市香洲区", "business_scope": "交流", "registered_capital": "3", "member_count": 60}
    zhuhai = Region.objects.get(code="440402")
    app = svc.application_save(actor=actors["founder"], kind="establishment", data=data, authority=zhuhai)
    app = svc.application_submit(actor=actors["founder"], application=app, expected_version=1)
    draft = svc.application_save(actor=actors["founder"], kind="establishment", data=data, authority=zhuhai)
    Organization.objects.filter(pk=actors["org_a"].pk).update(certificate_number="珠海社证字第000001号")
    from django.core.files.uploadedfile import SimpleUploadedFile

    documented = svc.application_save(actor=actors["founder"], kind="establishment", data=data, authority=zhuhai)
    doc = svc.application_document_add(actor=actors["founder"], application=documented, kind="charter",
                                       upload=SimpleUploadedFile("章程.pdf", b"%PDF-1.4\n%%EOF\n"))
    svc.application_submit(actor=actors["founder"], application=documented, expected_version=documented.version)
    branch = svc.branch_file(actor=actors["org_user_a"], organization=actors["org_a"], name="珠海授权测试分会",
                             kind="branch")
    hidden = svc.branch_file(actor=actors["org_user_a"], organization=actors["org_a"], name="珠海授权测试代表处",
                             kind="representative")
    svc.branch_hide(actor=actors["officer_zhuhai"], branch=hidden, reason="名称与登记事项不符")
    return {"application": app.pk, "draft": draft.pk, "app_document": doc.pk, "branch": branch.pk,
            "hidden_branch": hidden.pk}


APPLICANTS = {"founder": 200, "org_user_a": 200, "org_user_b": 200}
AUTHORITY = {"officer_zhuhai": 200, "admin": 200}

EXPECTED = {
    "registry:certificate": ("/orgs/{org_a}/certificate.pdf",
                             only({"org_user_a": 200, "officer_zhuhai": 200, "admin": 200})),
    "registry:applications_mine": ("/applications/", only(APPLICANTS)),
    "registry:applications_worklist": ("/applications/worklist/",
                                       only({"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200})),
    "registry:application_new": ("/applications/new/establishment/", only(APPLICANTS)),
    "registry:application_detail": ("/applications/{application}/",
                                    only({"founder": 200, "officer_zhuhai": 200, "admin": 200})),
    "registry:application_edit": ("/applications/{draft}/edit/", only({"founder": 200})),
    "registry:application_action": ("/applications/{application}/approve/", every(405)),
    # A document of a submitted application: its applicant and the officers deciding it.
    "registry:application_document": ("/applications/documents/{app_document}/",
                                      only({"founder": 200, "officer_zhuhai": 200, "admin": 200})),
    "registry:branch_file": ("/applications/branches/", every(405)),
    # The registration authority reviews the branches an organization filed (and an administrator).
    "registry:branch_manage": ("/orgs/{org_a}/branches/", only(AUTHORITY)),
    "registry:branch_hide": ("/orgs/{org_a}/branches/{branch}/hide/", only(AUTHORITY)),
    "registry:branch_unhide": ("/orgs/{org_a}/branches/{hidden_branch}/unhide/", only(AUTHORITY)),
}

POSTS = {
    # Only an organization's own user files branches (for its own organization).
    "registry:branch_file": ("/applications/branches/", {"name": "珠海分会", "kind": "branch"},
                             only({"org_user_a": 302, "org_user_b": 302})),
    # Who can see the application gets an answer: the deciding officer the confirmation page
    # (200, nothing changed yet), the founder a refusal on the application's page (302); the
    # rest get 404.
    "registry:application_action": ("/applications/{application}/approve/", {"version": 2},
                                    only({"founder": 302, "officer_zhuhai": 200, "admin": 200})),
    # Hiding and publishing again: the registration authority (302 back to its list); the Foshan
    # officer, the organization itself and everyone else get 404. The administrator posts after
    # the Zhuhai officer (one transaction for all actors): the entry is done already, and the
    # confirmation page says so (200).
    "registry:branch_hide": ("/orgs/{org_a}/branches/{branch}/hide/", {"reason": "不宜公开", "confirm": "on"},
                             only({"officer_zhuhai": 302, "admin": 200})),
    "registry:branch_unhide": ("/orgs/{org_a}/branches/{hidden_branch}/unhide/", {"confirm": "on"},
                               only({"officer_zhuhai": 302, "admin": 200})),
}
