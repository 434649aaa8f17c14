from django.urls import path

from dialogue.views import compacts, consultations, forums, hub

app_name = "dialogue"

urlpatterns = [
    path("dialog/", hub.hub, name="hub"),
    path("overenskommelser/", compacts.compacts, name="compacts"),
    path("overenskommelser/<id:pk>/", compacts.compact, name="compact"),
    path("overenskommelser/<id:pk>/anslut/", compacts.sign_on, name="sign_on"),
    path("overenskommelser/<id:pk>/lamna/", compacts.withdraw, name="withdraw"),
    path("overenskommelser/<id:pk>/kommentera/", compacts.comment, name="comment"),
    path("handlaggning/overenskommelser/", compacts.officer_list, name="officer_list"),
    path(
        "handlaggning/overenskommelser/<id:pk>/", compacts.officer_compact, name="officer_compact"
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/avsnitt/", compacts.section_add, name="section_add"
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/avsnitt/<slug:key>/",
        compacts.section_edit,
        name="section_edit",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/avsnitt/<slug:key>/ta-bort/",
        compacts.section_remove,
        name="section_remove",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/remiss/",
        compacts.open_for_comments,
        name="open_for_comments",
    ),
    path("handlaggning/overenskommelser/<id:pk>/anta/", compacts.adopt, name="adopt"),
    path(
        "handlaggning/overenskommelser/<id:pk>/ny-version/",
        compacts.version_start,
        name="version_start",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/handlingsplan/", compacts.plan_add, name="plan_add"
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/atagande/",
        compacts.commitment_add,
        name="commitment_add",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/handlingsplan/<id:plan>/uppfoljning/<int:year>/",
        compacts.follow_up_edit,
        name="follow_up_edit",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/uppfoljning/<id:follow_up>/publicera/",
        compacts.follow_up_publish,
        name="follow_up_publish",
    ),
]

urlpatterns += [
    path("forum/", forums.forums, name="forums"),
    path("forum/<id:pk>/", forums.forum, name="forum"),
    path("forum/<id:pk>/kalender.ics", forums.forum_calendar, name="forum_calendar"),
    path("forum/<id:pk>/medlem/<id:member>/", forums.member_appoint, name="member_appoint"),
    path("forum/<id:pk>/medlem/<id:member>/lamna/", forums.member_leave, name="member_leave"),
    path("forum/mote/<id:pk>/forslag/", forums.item_propose, name="item_propose"),
    path("handlaggning/forum/", forums.officer_forums, name="officer_forums"),
    path("handlaggning/forum/<id:pk>/", forums.officer_forum, name="officer_forum"),
    path("handlaggning/forum/<id:pk>/bjud-in/", forums.member_invite, name="member_invite"),
    path(
        "handlaggning/forum/<id:pk>/medlem/<id:member>/avsluta/",
        forums.officer_member_remove,
        name="officer_member_remove",
    ),
    path("handlaggning/forum/<id:pk>/moten/", forums.meeting_schedule, name="meeting_schedule"),
    path("handlaggning/forum/mote/<id:pk>/", forums.officer_meeting, name="officer_meeting"),
    path("handlaggning/forum/mote/<id:pk>/andra/", forums.meeting_change, name="meeting_change"),
    path("handlaggning/forum/mote/<id:pk>/stall-in/", forums.meeting_cancel, name="meeting_cancel"),
    path("handlaggning/forum/mote/<id:pk>/punkter/", forums.item_add, name="item_add"),
    path(
        "handlaggning/forum/mote/<id:pk>/punkter/<id:item>/",
        forums.item_decide,
        name="item_decide",
    ),
    path("handlaggning/forum/mote/<id:pk>/narvaro/", forums.attendance_save, name="attendance"),
    path("handlaggning/forum/mote/<id:pk>/protokoll/", forums.minutes_save, name="minutes_save"),
    path(
        "handlaggning/forum/mote/<id:pk>/protokoll/justera/",
        forums.minutes_approve,
        name="minutes_approve",
    ),
    path(
        "handlaggning/forum/mote/<id:pk>/protokoll/publicera/",
        forums.minutes_publish,
        name="minutes_publish",
    ),
]

urlpatterns += [
    path("remisser/", consultations.consultations, name="consultations"),
    path("remisser/<id:pk>/", consultations.consultation, name="consultation"),
    path("remisser/<id:pk>/svara/", consultations.respond, name="respond"),
    path(
        "remisser/dokument/<id:pk>/", consultations.document_download, name="consultation_document"
    ),
    path("remisser/svar/bilaga/<id:pk>/", consultations.response_file, name="response_file"),
    path(
        "handlaggning/remisser/",
        consultations.officer_consultations,
        name="officer_consultations",
    ),
    path(
        "handlaggning/remisser/<id:pk>/",
        consultations.officer_consultation,
        name="officer_consultation",
    ),
    path(
        "handlaggning/remisser/<id:pk>/dokument/",
        consultations.document_add,
        name="consultation_document_add",
    ),
    path(
        "handlaggning/remisser/<id:pk>/publicera/",
        consultations.publish,
        name="consultation_publish",
    ),
    path(
        "handlaggning/remisser/<id:pk>/svar/<id:response>/sekretess/",
        consultations.assess,
        name="response_assess",
    ),
    path(
        "handlaggning/remisser/<id:pk>/svar/<id:response>/aterkoppling/",
        consultations.feedback,
        name="response_feedback",
    ),
    path(
        "handlaggning/remisser/<id:pk>/vad-hande-sedan/",
        consultations.outcome,
        name="consultation_outcome",
    ),
]
