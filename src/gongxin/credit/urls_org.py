from django.urls import path

from gongxin.credit import views_org as views

# /credit/my/: the organization's own credit pages; its credit reports (also for its officers).
urlpatterns = [
    path("", views.my_credit, name="my"),
    path("entries/<int:pk>/", views.my_entry, name="my_entry"),
    path("penalties/", views.my_penalties, name="my_penalties"),
    path("information/", views.my_information, name="my_information"),
    path("reports/", views.my_reports, name="my_reports"),
    path("report/", views.report_issue, name="report_issue"),
    path("reports/<str:code>/download/", views.report_download, name="report_download"),
]
