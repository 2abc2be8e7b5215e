from django.urls import path

from gongxin.credit import views_public as views

# Mounted at /credit/ in the "credit" namespace: the published lists, no login.
urlpatterns = [
    path("", views.index, name="public_index"),
    path("abnormal/", views.abnormal_list, name="abnormal_list"),
    path("dishonest/", views.dishonest_list, name="dishonest_list"),
    path("banned/", views.banned_list, name="banned_list"),
    path("announcements/", views.announcement_list, name="announcement_list"),
]
