from django.urls import path

from organisations.views import association, directory, documents, members, officer, state_aid

app_name = "organisations"

urlpatterns = [
    path("foreningar/", association.mine, name="mine"),
    path("foreningar/registrera/", association.register, name="register"),
    path("foreningar/ga-med/", members.join_request_create, name="join_request_create"),
    path("foreningar/<id:pk>/", association.detail, name="detail"),
    path("foreningar/<id:pk>/redigera/", association.edit, name="edit"),
    path("foreningar/<id:pk>/skicka-for-granskning/", association.resubmit, name="resubmit"),
    path("foreningar/<id:pk>/medlemmar/", members.members, name="members"),
    path("foreningar/<id:pk>/medlemmar/bjud-in/", members.invite, name="invite"),
    path(
        "foreningar/<id:pk>/medlemmar/<id:member_pk>/roll/", members.member_role, name="member_role"
    ),
    path(
        "foreningar/<id:pk>/medlemmar/<id:member_pk>/ta-bort/",
        members.member_remove,
        name="member_remove",
    ),
    path(
        "foreningar/<id:pk>/inbjudningar/<id:invitation_pk>/aterkalla/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "foreningar/<id:pk>/forfragningar/<id:request_pk>/",
        members.join_request_decide,
        name="join_request_decide",
    ),
    path("foreningar/<id:pk>/dokument/", documents.documents, name="documents"),
    path(
        "foreningar/<id:pk>/dokument/fil/<id:version_pk>/",
        documents.document_download,
        name="document_download",
    ),
    path(
        "foreningar/<id:pk>/stod-av-mindre-betydelse/",
        state_aid.aid_declaration,
        name="aid_declaration",
    ),
    path("inbjudan/<str:token>/", members.invitation_accept, name="invitation_accept"),
    path("handlaggning/organisationer/", officer.officer_queue, name="officer_queue"),
    path("handlaggning/organisationer/<id:pk>/", officer.officer_detail, name="officer_detail"),
    path(
        "handlaggning/organisationer/<id:pk>/status/",
        officer.officer_transition,
        name="officer_transition",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/betalningsuppgifter/",
        officer.officer_verify_payment,
        name="officer_verify_payment",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/dokument/<id:document_pk>/",
        officer.officer_document_review,
        name="officer_document_review",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/forfragningar/<id:request_pk>/",
        officer.officer_join_request_decide,
        name="officer_join_request_decide",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/jav/",
        officer.officer_declare_conflict,
        name="officer_declare_conflict",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/stod-av-mindre-betydelse/",
        state_aid.officer_aid,
        name="officer_aid",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/stod-av-mindre-betydelse/koppla/",
        state_aid.officer_aid_link,
        name="officer_aid_link",
    ),
    path(
        "handlaggning/organisationer/<id:pk>/stod-av-mindre-betydelse/koppla-bort/<id:member_pk>/",
        state_aid.officer_aid_unlink,
        name="officer_aid_unlink",
    ),
    path(
        "handlaggning/stod-av-mindre-betydelse/",
        state_aid.aid_register,
        name="aid_register",
    ),
    path("katalog/", directory.directory, name="directory"),
    path("katalog/<id:pk>/", directory.directory_detail, name="directory_detail"),
]
