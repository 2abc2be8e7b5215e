from django.urls import include, path

app_name = "procurement"
# One module per sub-domain, all under /procurement/: the public disclosure platform and its
# statistics, the three catalogues and qualification, the purchaser's / organization's /
# evaluator's project work.
urlpatterns = [
    path("", include("gongxin.procurement.urls_public")),
    path("catalogues/", include("gongxin.procurement.urls_catalogues")),
    path("qualification/", include("gongxin.procurement.urls_qualification")),
    path("work/", include("gongxin.procurement.urls_work")),
]
