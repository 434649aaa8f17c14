from django.urls import path

from grants import views

app_name = "grants"

urlpatterns = [
    path("utlysningar/", views.calls, name="calls"),
    path("utlysningar/<id:pk>/", views.call_detail, name="call"),
    path("utlysningar/<id:pk>/ansok/", views.application_start, name="start"),
    path("ansokningar/", views.my_applications, name="mine"),
    path("ansokningar/<id:pk>/", views.application, name="application"),
    path("ansokningar/<id:pk>/bilagor/", views.attachment_add, name="attachment_add"),
    path(
        "ansokningar/<id:pk>/bilagor/<id:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "ansokningar/<id:pk>/bilagor/<id:attachment_pk>/ta-bort/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("ansokningar/<id:pk>/aterkalla/", views.application_withdraw, name="withdraw"),
    path("handlaggning/ansokningar/", views.inbox, name="inbox"),
    path("handlaggning/beslut/", views.decisions, name="decisions"),
    path(
        "handlaggning/ansokningar/<id:pk>/", views.officer_application, name="officer_application"
    ),
    path("handlaggning/ansokningar/<id:pk>/tilldela/", views.assign, name="assign"),
    path(
        "handlaggning/ansokningar/<id:pk>/komplettering/",
        views.request_completion,
        name="request_completion",
    ),
    path("handlaggning/ansokningar/<id:pk>/granska/", views.start_review, name="start_review"),
    path(
        "handlaggning/ansokningar/<id:pk>/bedomning/<id:criterion_pk>/", views.score, name="score"
    ),
    path("handlaggning/ansokningar/<id:pk>/forslag/", views.propose, name="propose"),
    path("handlaggning/ansokningar/<id:pk>/beslut/", views.decide, name="decide"),
    path("handlaggning/ansokningar/<id:pk>/jav/", views.declare_conflict, name="declare_conflict"),
]

urlpatterns += [
    path("ansokningar/<id:pk>/aterrapportering/", views.report, name="report"),
    path(
        "ansokningar/<id:pk>/aterrapportering/bilagor/",
        views.report_attachment_add,
        name="report_attachment_add",
    ),
    path(
        "ansokningar/<id:pk>/aterrapportering/bilagor/<id:attachment_pk>/",
        views.report_attachment,
        name="report_attachment",
    ),
    path("handlaggning/ansokningar/<id:pk>/utbetalningar/", views.payment_add, name="payment_add"),
    path("handlaggning/ansokningar/<id:pk>/aterkrav/", views.recovery_add, name="recovery_add"),
    path(
        "handlaggning/ansokningar/<id:pk>/aterkrav/<id:recovery_pk>/betalt/",
        views.recovery_paid,
        name="recovery_paid",
    ),
    path(
        "handlaggning/ansokningar/<id:pk>/aterrapportering/",
        views.officer_report,
        name="officer_report",
    ),
    path("handlaggning/utbetalningar/", views.payments_list, name="payments"),
    path("handlaggning/aterrapporteringar/", views.reports_list, name="reports"),
    path("handlaggning/aterkrav/", views.recoveries_list, name="recoveries"),
    path("oppna-data/", views.open_data, name="open_data"),
    path("open-data/grants.json", views.open_data_json, name="open_data_json"),
    path("open-data/grants.csv", views.open_data_csv, name="open_data_csv"),
]
