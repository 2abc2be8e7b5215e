from django.urls import path

from gongxin.procurement import views_qualification as views

# Mounted at /procurement/qualification/ in the "procurement" namespace: the public catalogue,
# the organization's own page (mine/), the officer's work (manage/).
urlpatterns = [
    path("", views.qualified_public, name="qualified_public"),
    path("export/", views.qualified_export, name="qualified_export"),
    path("mine/", views.qualification_mine, name="qualification_mine"),
    path("manage/", views.qualification_queue, name="qualification_queue"),
    path("manage/export/", views.qualification_queue_export, name="qualification_queue_export"),
    path("manage/publish/", views.qualified_publish, name="qualified_publish"),
    path("manage/<int:pk>/", views.qualification_detail, name="qualification_detail"),
    path("manage/<int:pk>/decide/", views.qualification_decide, name="qualification_decide"),
    path("manage/<int:pk>/withdraw/", views.qualification_withdraw, name="qualification_withdraw"),
]
