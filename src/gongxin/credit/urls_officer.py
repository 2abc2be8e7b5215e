from django.urls import path

from gongxin.credit import views_officer as views

# Mounted at /credit/manage/ in the "credit" namespace: names start with "manage_" so the other
# credit sub-domains (public lists, the organization's pages) keep theirs.
urlpatterns = [
    path("", views.worklist, name="manage_worklist"),
    path("entries/<int:pk>/", views.entry_detail, name="manage_entry"),
    path("entries/<int:pk>/confirm/", views.entry_confirm, name="manage_entry_confirm"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="manage_entry_withdraw"),
    path("removals/<int:pk>/decide/", views.removal_decide, name="manage_removal_decide"),
    path("orgs/", views.org_lookup, name="manage_orgs"),
    path("orgs/<str:uscc>/", views.org_credit, name="manage_org"),
    path("orgs/<str:uscc>/penalties/new/", views.penalty_new, name="manage_penalty_new"),
    path("orgs/<str:uscc>/records/new/", views.record_new, name="manage_record_new"),
    path("orgs/<str:uscc>/evaluate/", views.org_evaluate, name="manage_org_evaluate"),
    path("records/<int:pk>/resolve/", views.record_resolve, name="manage_record_resolve"),
    path("banned/", views.banned_list, name="manage_banned"),
    path("banned/new/", views.banned_new, name="manage_banned_new"),
    path("import/", views.import_index, name="manage_import"),
    path("import/template/", views.import_template, name="manage_import_template"),
    path("exports/", views.exports_index, name="manage_exports"),
    path("exports/download/", views.export_download, name="manage_export_download"),
]
