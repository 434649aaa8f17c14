from django.urls import path

from grants.views import applications, cases, decisions, payments, public, recoveries, reports

app_name = "grants"

urlpatterns = [
    path("utlysningar/", public.calls, name="calls"),
    path("utlysningar/<id:pk>/", public.call_detail, name="call"),
    path("utlysningar/<id:pk>/ansok/", applications.application_start, name="start"),
    path("ansokningar/", applications.my_applications, name="mine"),
    path("ansokningar/<id:pk>/", applications.application, name="application"),
    path("ansokningar/<id:pk>/bilagor/", applications.attachment_add, name="attachment_add"),
    path(
        "ansokningar/<id:pk>/bilagor/<id:attachment_pk>/",
        applications.attachment_download,
        name="attachment",
    ),
    path(
        "ansokningar/<id:pk>/bilagor/<id:attachment_pk>/ta-bort/",
        applications.attachment_remove,
        name="attachment_remove",
    ),
    path("ansokningar/<id:pk>/aterkalla/", applications.application_withdraw, name="withdraw"),
    path("ansokningar/<id:pk>/kontrollera/", applications.application_check, name="check"),
    path("ansokningar/<id:pk>/kvitto/", applications.application_receipt, name="receipt"),
    path("ansokningar/<id:pk>/ta-bort/", applications.application_delete, name="delete"),
    path("handlaggning/ansokningar/", cases.inbox, name="inbox"),
    path("handlaggning/beslut/", decisions.decisions, name="decisions"),
    path(
        "handlaggning/ansokningar/<id:pk>/", cases.officer_application, name="officer_application"
    ),
    path("handlaggning/ansokningar/<id:pk>/tilldela/", cases.assign, name="assign"),
    path(
        "handlaggning/ansokningar/<id:pk>/komplettering/",
        cases.request_completion,
        name="request_completion",
    ),
    path("handlaggning/ansokningar/<id:pk>/granska/", cases.start_review, name="start_review"),
    path("handlaggning/ansokningar/<id:pk>/bedomning/", cases.assess, name="assess"),
    path("handlaggning/ansokningar/<id:pk>/forslag/", decisions.propose, name="propose"),
    path("handlaggning/ansokningar/<id:pk>/beslut/", decisions.decide, name="decide"),
    path("handlaggning/ansokningar/<id:pk>/jav/", cases.declare_conflict, name="declare_conflict"),
]

urlpatterns += [
    path("ansokningar/<id:pk>/aterrapportering/", reports.report, name="report"),
    path(
        "ansokningar/<id:pk>/aterrapportering/bilagor/",
        reports.report_attachment_add,
        name="report_attachment_add",
    ),
    path(
        "ansokningar/<id:pk>/aterrapportering/bilagor/<id:attachment_pk>/",
        reports.report_attachment,
        name="report_attachment",
    ),
    path(
        "handlaggning/ansokningar/<id:pk>/utbetalningar/", payments.payment_add, name="payment_add"
    ),
    path(
        "handlaggning/ansokningar/<id:pk>/aterkrav/", recoveries.recovery_add, name="recovery_add"
    ),
    path(
        "handlaggning/ansokningar/<id:pk>/aterkrav/<id:recovery_pk>/betalt/",
        recoveries.recovery_paid,
        name="recovery_paid",
    ),
    path(
        "handlaggning/ansokningar/<id:pk>/aterrapportering/",
        reports.officer_report,
        name="officer_report",
    ),
    path("handlaggning/utbetalningar/", payments.payments_list, name="payments"),
    path("handlaggning/aterrapporteringar/", reports.reports_list, name="reports"),
    path("handlaggning/aterkrav/", recoveries.recoveries_list, name="recoveries"),
    path("oppna-data/", public.open_data, name="open_data"),
    path("open-data/grants.json", public.open_data_json, name="open_data_json"),
    path("open-data/grants.csv", public.open_data_csv, name="open_data_csv"),
]
