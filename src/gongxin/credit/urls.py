from django.urls import include, path

app_name = "credit"
# One module per sub-domain, all under /credit/: the public lists and verification, the
# officer's workspace, the organization's own credit pages, and member credit files.
urlpatterns = [
    path("", include("gongxin.credit.urls_public")),
    path("manage/", include("gongxin.credit.urls_officer")),
    path("my/", include("gongxin.credit.urls_org")),
    path("members/", include("gongxin.credit.urls_members")),
]
