from django.conf import settings

# URL names of the public credit pages, for the navigation's active state.
CREDIT_PUBLIC_PAGES = ("public_index", "abnormal_list", "dishonest_list", "banned_list", "announcement_list")
PROCUREMENT_PUBLIC_PAGES = ("public_index", "public_project", "public_stats", "catalogue_index", "catalogue_detail",
                            "qualified_public")


def platform(request):
    return {"PLATFORM_NAME": settings.PLATFORM_NAME, "DEMO": settings.DEMO, "CREDIT_PUBLIC_PAGES": CREDIT_PUBLIC_PAGES,
            "PROCUREMENT_PUBLIC_PAGES": PROCUREMENT_PUBLIC_PAGES}
