from django.urls import path

from dialogue import views

app_name = "dialogue"

urlpatterns = [
    path("overenskommelser/", views.compacts, name="compacts"),
    path("overenskommelser/<id:pk>/", views.compact, name="compact"),
    path("overenskommelser/<id:pk>/anslut/", views.sign_on, name="sign_on"),
    path("overenskommelser/<id:pk>/lamna/", views.withdraw, name="withdraw"),
    path("overenskommelser/<id:pk>/kommentera/", views.comment, name="comment"),
    path("handlaggning/overenskommelser/", views.officer_list, name="officer_list"),
    path("handlaggning/overenskommelser/<id:pk>/", views.officer_compact, name="officer_compact"),
    path("handlaggning/overenskommelser/<id:pk>/avsnitt/", views.section_add, name="section_add"),
    path(
        "handlaggning/overenskommelser/<id:pk>/avsnitt/<slug:key>/",
        views.section_edit,
        name="section_edit",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/avsnitt/<slug:key>/ta-bort/",
        views.section_remove,
        name="section_remove",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/remiss/",
        views.open_for_comments,
        name="open_for_comments",
    ),
    path("handlaggning/overenskommelser/<id:pk>/anta/", views.adopt, name="adopt"),
    path(
        "handlaggning/overenskommelser/<id:pk>/ny-version/",
        views.version_start,
        name="version_start",
    ),
    path("handlaggning/overenskommelser/<id:pk>/handlingsplan/", views.plan_add, name="plan_add"),
    path(
        "handlaggning/overenskommelser/<id:pk>/atagande/",
        views.commitment_add,
        name="commitment_add",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/handlingsplan/<id:plan>/uppfoljning/<int:year>/",
        views.follow_up_edit,
        name="follow_up_edit",
    ),
    path(
        "handlaggning/overenskommelser/<id:pk>/uppfoljning/<id:follow_up>/publicera/",
        views.follow_up_publish,
        name="follow_up_publish",
    ),
]
