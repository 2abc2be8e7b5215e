from django.urls import path

from gongxin.registry import views

app_name = "registry"
urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<str:uscc>/", views.org_profile, name="org_profile"),
]
