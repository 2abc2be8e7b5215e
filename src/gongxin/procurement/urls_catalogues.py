from django.urls import path

from gongxin.procurement import views_catalogues as views

# Mounted at /procurement/catalogues/ in the "procurement" namespace: the public index and pages
# of the transferable-functions and purchasable-services catalogues, then the officer's
# workspace under manage/. Names start with "catalogue_".
urlpatterns = [
    path("", views.catalogue_index, name="catalogue_index"),
    path("<int:pk>/", views.catalogue_detail, name="catalogue_detail"),
    path("<int:pk>/export/", views.catalogue_export, name="catalogue_export"),
    path("manage/", views.catalogue_manage, name="catalogue_manage"),
    path("manage/new/", views.catalogue_create, name="catalogue_create"),
    path("manage/template/<slug:kind>/", views.catalogue_template, name="catalogue_template"),
    path("manage/<int:pk>/", views.catalogue_edit, name="catalogue_edit"),
    path("manage/<int:pk>/items/new/", views.catalogue_item_add, name="catalogue_item_add"),
    path("manage/<int:pk>/items/<int:item_pk>/", views.catalogue_item_edit, name="catalogue_item_edit"),
    path("manage/<int:pk>/items/<int:item_pk>/delete/", views.catalogue_item_delete, name="catalogue_item_delete"),
    path("manage/<int:pk>/import/", views.catalogue_import, name="catalogue_import"),
    path("manage/<int:pk>/publish/", views.catalogue_publish, name="catalogue_publish"),
    path("manage/<int:pk>/delete/", views.catalogue_delete, name="catalogue_delete"),
]
