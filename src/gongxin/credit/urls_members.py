from django.urls import path

from gongxin.credit import views_members as views

# Mounted at /credit/members/ in the credit namespace.
urlpatterns = [
    path("", views.member_list, name="members"),
    path("new/", views.member_new, name="member_new"),
    path("export/", views.member_export, name="member_export"),
    path("import/", views.member_import, name="member_import"),
    path("import/template/", views.member_import_template, name="member_import_template"),
    path("assoc/<str:uscc>/", views.member_assoc, name="member_assoc"),
    path("assoc/<str:uscc>/export/", views.member_assoc_export, name="member_assoc_export"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/delete/", views.member_delete, name="member_delete"),
]
