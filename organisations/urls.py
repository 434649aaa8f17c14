from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("foreningar/", views.mine, name="mine"),
    path("foreningar/registrera/", views.register, name="register"),
    path("foreningar/ga-med/", views.join_request_create, name="join_request_create"),
    path("foreningar/<id:pk>/", views.detail, name="detail"),
    path("foreningar/<id:pk>/redigera/", views.edit, name="edit"),
    path("foreningar/<id:pk>/skicka-for-granskning/", views.resubmit, name="resubmit"),
    path("foreningar/<id:pk>/medlemmar/", views.members, name="members"),
    path("foreningar/<id:pk>/medlemmar/bjud-in/", views.invite, name="invite"),
    path(
        "foreningar/<id:pk>/medlemmar/<id:member_pk>/roll/", views.member_role, name="member_role"
    ),
    path(
        "foreningar/<id:pk>/medlemmar/<id:member_pk>/ta-bort/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "foreningar/<id:pk>/inbjudningar/<id:invitation_pk>/aterkalla/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "foreningar/<id:pk>/forfragningar/<id:request_pk>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("foreningar/<id:pk>/dokument/", views.documents, name="documents"),
    path(
        "foreningar/<id:pk>/dokument/fil/<id:version_pk>/",
        views.document_download,
        name="document_download",
    ),
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("handlaggning/organisationer/", views.officer_queue, name="officer_queue"),
    path("handlaggning/organisationer/<id:pk>/", views.officer_detail, name="officer_detail"),
    path(
        "handlaggning/organisationer/<id:pk>/status/",
        views.officer_transition,
        name="officer_transition",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/betalningsuppgifter/",
        views.officer_verify_payment,
        name="officer_verify_payment",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/dokument/<id:document_pk>/",
        views.officer_document_review,
        name="officer_document_review",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/forfragningar/<id:request_pk>/",
        views.officer_join_request_decide,
        name="officer_join_request_decide",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/jav/",
        views.officer_declare_conflict,
        name="officer_declare_conflict",
    ),
    path("katalog/", views.directory, name="directory"),
    path("katalog/<id:pk>/", views.directory_detail, name="directory_detail"),
]
