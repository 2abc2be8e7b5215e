from django.urls import path

from gongxin.credit import views_commitments as views

# /credit/commitments/: integrity commitment texts (officers) and signing (organizations).
urlpatterns = [
    path("texts/", views.texts, name="commitment_texts"),
    path("texts/new/", views.text_new, name="commitment_text_new"),
    path("texts/<int:pk>/", views.text_detail, name="commitment_text"),
    path("sign/", views.sign, name="commitment_sign"),
]
