from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gongxin.core import views as core_views
from gongxin.core.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="registry:org_list", permanent=False), name="index"),
    path("", include("gongxin.registry.urls")),
    path("accounts/", include("gongxin.accounts.urls")),
    path("annual/", include("gongxin.annual.urls")),
    path("credit/", include("gongxin.credit.urls")),
    path("procurement/", include("gongxin.procurement.urls")),
    path("evaluation/", include("gongxin.evaluation.urls")),
    path("api/v1/", api.urls),
    path("exports/<uuid:job_id>/", core_views.export_status, name="export_status"),
    path("exports/<uuid:job_id>/download/", core_views.export_download, name="export_download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "gongxin.core.views.page_not_found"
