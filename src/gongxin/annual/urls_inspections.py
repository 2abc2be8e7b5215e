from django.urls import path

from gongxin.annual import views_inspections as views

# Mounted at /annual/inspections/ in the "annual" namespace: names carry their sub-domain.
urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/draw/", views.inspection_draw, name="inspection_draw"),
    path("<int:pk>/publish/", views.inspection_publish, name="inspection_publish"),
    path("items/<int:pk>/result/", views.item_result, name="inspection_item_result"),
    path("items/<int:pk>/rectification/", views.rectification_issue, name="rectification_issue"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/export/", views.rectification_export, name="rectification_export"),
    path("rectifications/mine/", views.rectification_mine, name="rectification_mine"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/complete/", views.rectification_complete, name="rectification_complete"),
    path("public/", views.public_list, name="inspection_public_list"),
    path("public/<int:pk>/", views.public_detail, name="inspection_public_detail"),
    path("public/<int:pk>/candidates.txt", views.public_candidates, name="inspection_public_candidates"),
]
