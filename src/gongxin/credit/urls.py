from django.urls import include, path

app_name = "credit"
# One module per sub-domain, all under /credit/: the public lists, credit-report verification,
# the officer's workspace, the organization's own credit pages, integrity commitments and
# member credit files.
urlpatterns = [
    path("", include("gongxin.credit.urls_public")),
    path("verify/", include("gongxin.credit.urls_verify")),
    path("manage/", include("gongxin.credit.urls_officer")),
    path("my/", include("gongxin.credit.urls_org")),
    path("commitments/", include("gongxin.credit.urls_commitments")),
    path("members/", include("gongxin.credit.urls_members")),
]
