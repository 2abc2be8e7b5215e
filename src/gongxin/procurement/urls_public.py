from django.urls import path

from gongxin.procurement import views_public as views

# Mounted at /procurement/ in the "procurement" namespace: the public disclosure platform and its
# statistics, no login (the list's Excel export asks the public to sign in: export jobs have an owner).
urlpatterns = [
    path("", views.index, name="public_index"),
    path("export/", views.export, name="public_export"),
    path("projects/<int:pk>/", views.project, name="public_project"),
    path("projects/<int:pk>/documents/<int:document_pk>/", views.document, name="public_document"),
    path("statistics/", views.statistics, name="public_stats"),
    path("statistics/export/", views.statistics_export, name="public_stats_export"),
]
