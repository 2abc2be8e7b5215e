from django.urls import include, path

app_name = "annual"
# One module per sub-domain (reports, inspections, dormancy, imports), all under /annual/.
urlpatterns = [
    path("", include("gongxin.annual.urls_reports")),
    path("inspections/", include("gongxin.annual.urls_inspections")),
    path("dormancy/", include("gongxin.annual.urls_dormancy")),
    path("imports/", include("gongxin.annual.urls_imports")),
]
