from django.urls import path

from gongxin.annual import views_reports as views

urlpatterns = [
    path("", views.portal, name="portal"),
    path("<int:year>/edit/", views.report_edit, name="report_edit"),
    path("queue/", views.queue, name="queue"),
    path("queue/export/", views.queue_export, name="queue_export"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/attachment/", views.report_attachment, name="report_attachment"),
    path("reports/<int:pk>/sponsor-review/", views.report_sponsor_review, name="report_sponsor_review"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
]
