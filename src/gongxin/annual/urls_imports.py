from django.urls import path

from gongxin.annual import views_imports as views

urlpatterns = [
    path("", views.import_index, name="import_index"),
    path("template.xlsx", views.import_template, name="import_template"),
    path("<uuid:job_id>/", views.import_job, name="import_job"),
    path("<uuid:job_id>/errors.xlsx", views.import_error_file, name="import_error_file"),
]
