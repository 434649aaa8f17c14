from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("iop/", views.register, name="register"),
    path("iop/mina/", views.mine, name="mine"),
    path("iop/initiativ/", views.initiative, name="initiative"),
    path("iop/avtal/<id:pk>/", views.agreement, name="agreement"),
    path("iop/avtal/<id:pk>/avsnitt/", views.section_save, name="section_save"),
    path("iop/avtal/<id:pk>/kommentar/", views.comment_add, name="comment_add"),
    path("iop/avtal/<id:pk>/insatser/", views.contribution_add, name="contribution_add"),
    path("iop/avtal/<id:pk>/steg/", views.transition, name="transition"),
    path("iop/avtal/<id:pk>/provning/", views.screen, name="screen"),
    path("iop/avtal/<id:pk>/juridik/", views.legal_review, name="legal_review"),
    path("iop/avtal/<id:pk>/beslut/", views.decide, name="decide"),
    path(
        "iop/avtal/<id:pk>/parter/<id:party_pk>/firmatecknare/",
        views.become_signatory,
        name="become_signatory",
    ),
    path("iop/avtal/<id:pk>/parter/<id:party_pk>/underskrift/", views.sign, name="sign"),
    path("iop/avtal/<id:pk>/underskrifter/om/", views.restart_signing, name="restart_signing"),
    path("iop/avtal/<id:pk>/utkast.pdf", views.draft_pdf, name="draft_pdf"),
    path("iop/avtal/<id:pk>/version/<id:version_pk>.pdf", views.version_pdf, name="version_pdf"),
    path("iop/avtal/<id:pk>/avslut/", views.end, name="end"),
    path("iop/avtal/<id:pk>/parter/", views.party_add, name="party_add"),
    path("iop/avtal/<id:pk>/offentlig-pdf/", views.pdf_public, name="pdf_public"),
    path("iop/avtal/<id:pk>/jav/", views.conflict_declare, name="conflict_declare"),
    path("iop/avtal/<id:pk>/uppfoljning/", views.follow_up_plan, name="follow_up_plan"),
    path(
        "iop/avtal/<id:pk>/uppfoljning/<id:point_pk>/",
        views.follow_up_record,
        name="follow_up_record",
    ),
    path(
        "iop/avtal/<id:pk>/uppfoljning/<id:point_pk>/granskad/",
        views.follow_up_review,
        name="follow_up_review",
    ),
]
