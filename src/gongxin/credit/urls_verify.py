from django.urls import path

from gongxin.credit import views_verify as views

# /credit/verify/: public verification of issued credit reports.
urlpatterns = [
    path("", views.verify, name="verify"),
    path("<str:code>/", views.verify_detail, name="verify_detail"),
]
