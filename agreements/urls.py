from django.urls import path

from agreements.views import cocreation, document, follow_up, public, signing

app_name = "agreements"

urlpatterns = [
    path("iop/", public.register, name="register"),
    path("iop/mina/", public.mine, name="mine"),
    path("iop/handlaggning/", public.officer_list, name="officer_list"),
    path("iop/initiativ/", public.initiative, name="initiative"),
    path("iop/avtal/<id:pk>/", document.agreement, name="agreement"),
    path("iop/avtal/<id:pk>/avsnitt/<slug:section>/", document.section_edit, name="section_edit"),
    path(
        "iop/avtal/<id:pk>/avsnitt/<slug:section>/andringar/",
        document.section_changes,
        name="section_changes",
    ),
    path("iop/avtal/<id:pk>/jamfor/", document.compare, name="compare"),
    path("iop/avtal/<id:pk>/kommentar/", cocreation.comment_add, name="comment_add"),
    path("iop/avtal/<id:pk>/insatser/", cocreation.contribution_add, name="contribution_add"),
    path("iop/avtal/<id:pk>/steg/", cocreation.transition, name="transition"),
    path("iop/avtal/<id:pk>/provning/", cocreation.screen, name="screen"),
    path("iop/avtal/<id:pk>/juridik/", signing.legal_review, name="legal_review"),
    path("iop/avtal/<id:pk>/beslut/", signing.decide, name="decide"),
    path(
        "iop/avtal/<id:pk>/parter/<id:party_pk>/firmatecknare/",
        signing.become_signatory,
        name="become_signatory",
    ),
    path(
        "iop/avtal/<id:pk>/parter/<id:party_pk>/valj-firmatecknare/",
        signing.signatory_set,
        name="signatory_set",
    ),
    path("iop/avtal/<id:pk>/parter/<id:party_pk>/underskrift/", signing.sign, name="sign"),
    path("iop/avtal/<id:pk>/underskrifter/om/", signing.restart_signing, name="restart_signing"),
    path("iop/avtal/<id:pk>/utkast.pdf", signing.draft_pdf, name="draft_pdf"),
    path("iop/avtal/<id:pk>/version/<id:version_pk>.pdf", signing.version_pdf, name="version_pdf"),
    path("iop/avtal/<id:pk>/avslut/", follow_up.end, name="end"),
    path("iop/avtal/<id:pk>/parter/", cocreation.party_add, name="party_add"),
    path("iop/avtal/<id:pk>/offentlig-pdf/", signing.pdf_public, name="pdf_public"),
    path("iop/avtal/<id:pk>/jav/", cocreation.conflict_declare, name="conflict_declare"),
    path("iop/avtal/<id:pk>/uppfoljning/", follow_up.follow_up_plan, name="follow_up_plan"),
    path(
        "iop/avtal/<id:pk>/uppfoljning/<id:point_pk>/",
        follow_up.follow_up_record,
        name="follow_up_record",
    ),
    path(
        "iop/avtal/<id:pk>/uppfoljning/<id:point_pk>/granskad/",
        follow_up.follow_up_review,
        name="follow_up_review",
    ),
]
