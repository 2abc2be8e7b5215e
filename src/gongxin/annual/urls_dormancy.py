from django.urls import path

from gongxin.annual import views_dormancy as views

urlpatterns = [
    path("", views.finding_list, name="dormancy_list"),
    path("export/", views.finding_export, name="dormancy_export"),
    path("<int:pk>/", views.finding_decide, name="dormancy_decide"),
]
