from django.urls import path

from gongxin.registry import views
from gongxin.registry import views_applications as apps
from gongxin.registry import views_branches as branches

app_name = "registry"
urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<str:uscc>/", views.org_profile, name="org_profile"),
    path("orgs/<str:uscc>/certificate.pdf", apps.certificate, name="certificate"),
    path("orgs/<str:uscc>/branches/", branches.branch_manage, name="branch_manage"),
    path("orgs/<str:uscc>/branches/<int:pk>/hide/", branches.branch_hide, name="branch_hide"),
    path("orgs/<str:uscc>/branches/<int:pk>/unhide/", branches.branch_unhide, name="branch_unhide"),
    path("applications/", apps.my_applications, name="applications_mine"),
    path("applications/worklist/", apps.worklist, name="applications_worklist"),
    path("applications/branches/", apps.branch_file, name="branch_file"),
    path("applications/new/<str:kind>/", apps.application_new, name="application_new"),
    path("applications/<int:pk>/", apps.application_detail, name="application_detail"),
    path("applications/documents/<int:pk>/", apps.application_document, name="application_document"),
    path("applications/<int:pk>/edit/", apps.application_new, {"kind": ""}, name="application_edit"),
    path("applications/<int:pk>/<str:action>/", apps.application_action, name="application_action"),
]
