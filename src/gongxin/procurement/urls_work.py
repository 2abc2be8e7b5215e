from django.urls import path

from gongxin.procurement import views_work as views

# Mounted at /procurement/work/ in the "procurement" namespace: the purchaser's projects and
# their steps, the organization's opportunities and bids, the evaluator's assignments, the
# officer's supervision, function transfers.
urlpatterns = [
    path("", views.work_home, name="work_home"),
    path("projects/", views.work_projects, name="work_projects"),
    path("projects/export/", views.work_projects_export, name="work_projects_export"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/publicize/", views.project_publicize, name="project_publicize"),
    path("projects/<int:pk>/award/", views.project_award, name="project_award"),
    path("projects/<int:pk>/unsuccessful/", views.project_unsuccessful, name="project_unsuccessful"),
    path("projects/<int:pk>/cancel/", views.project_cancel, name="project_cancel"),
    path("projects/<int:pk>/contract/", views.contract_sign, name="contract_sign"),
    path("projects/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("projects/<int:pk>/tracking/", views.tracking_report_submit, name="tracking_report_submit"),
    path("projects/<int:pk>/complete/", views.project_complete, name="project_complete"),
    path("projects/<int:pk>/evaluation/", views.evaluation_assign, name="evaluation_assign"),
    path("milestones/<int:pk>/mark/", views.milestone_mark, name="milestone_mark"),
    path("documents/<int:pk>/", views.document_download, name="project_document"),
    path("evaluations/", views.work_evaluations, name="work_evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("opportunities/", views.work_opportunities, name="work_opportunities"),
    path("opportunities/<int:pk>/", views.bid_create, name="bid_create"),
    path("bids/", views.work_bids, name="work_bids"),
    path("bids/<int:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("awarded/", views.work_awarded, name="work_awarded"),
    path("supervision/", views.work_supervision, name="work_supervision"),
    path("transfers/", views.work_transfers, name="work_transfers"),
    path("transfers/new/", views.transfer_create, name="transfer_create"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/revoke/", views.transfer_revoke, name="transfer_revoke"),
]
