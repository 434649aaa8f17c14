from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("statistik/", views.public, name="public"),
    path("statistik/<slug:slug>.<spreadsheet:fmt>", views.public_export, name="public_export"),
    path("handlaggning/statistik/", views.dashboard, name="dashboard"),
    path(
        "handlaggning/statistik/<slug:slug>.<spreadsheet:fmt>",
        views.dashboard_export,
        name="dashboard_export",
    ),
    path("handlaggning/statistik/arsrapport/", views.report_request, name="report_request"),
    path(
        "handlaggning/statistik/arsrapport/<id:pk>/",
        views.report_download,
        name="report_download",
    ),
]
