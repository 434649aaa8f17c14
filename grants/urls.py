from django.urls import path

from grants import views

app_name = "grants"

urlpatterns = [
    path("utlysningar/", views.calls, name="calls"),
    path("utlysningar/<int:pk>/", views.call_detail, name="call"),
    path("utlysningar/<int:pk>/ansok/", views.application_start, name="start"),
    path("ansokningar/", views.my_applications, name="mine"),
    path("ansokningar/<int:pk>/", views.application, name="application"),
    path("ansokningar/<int:pk>/bilagor/", views.attachment_add, name="attachment_add"),
    path(
        "ansokningar/<int:pk>/bilagor/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "ansokningar/<int:pk>/bilagor/<int:attachment_pk>/ta-bort/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("ansokningar/<int:pk>/aterkalla/", views.application_withdraw, name="withdraw"),
    path("handlaggning/ansokningar/", views.inbox, name="inbox"),
    path("handlaggning/beslut/", views.decisions, name="decisions"),
    path(
        "handlaggning/ansokningar/<int:pk>/", views.officer_application, name="officer_application"
    ),
    path("handlaggning/ansokningar/<int:pk>/tilldela/", views.assign, name="assign"),
    path(
        "handlaggning/ansokningar/<int:pk>/komplettering/",
        views.request_completion,
        name="request_completion",
    ),
    path("handlaggning/ansokningar/<int:pk>/granska/", views.start_review, name="start_review"),
    path(
        "handlaggning/ansokningar/<int:pk>/bedomning/<int:criterion_pk>/", views.score, name="score"
    ),
    path("handlaggning/ansokningar/<int:pk>/forslag/", views.propose, name="propose"),
    path("handlaggning/ansokningar/<int:pk>/beslut/", views.decide, name="decide"),
]
