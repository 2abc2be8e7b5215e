from django.urls import path

from gongxin.evaluation import views

app_name = "evaluation"
# Mounted at /evaluation/: the officer's grade pages (the public sees grades on the profile).
urlpatterns = [
    path("", views.grade_list, name="list"),
    path("export/", views.grade_export, name="export"),
    path("new/", views.grade_new, name="record"),
    path("<int:pk>/cancel/", views.grade_cancel, name="cancel"),
]
