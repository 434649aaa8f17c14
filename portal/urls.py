from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from portal import views
from portal.eid import signing as eid_signing
from portal.eid import views as eid_views

# The admin logs in through allauth, so that administrators get the same second factor and
# rate limits as everybody else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Samverkansportalen"
admin.site.site_title = "Samverkansportalen"

app_urls = (
    [
        path("", views.home, name="home"),
        path("tillganglighet/", views.accessibility, name="accessibility"),
        path("personuppgifter/", views.personal_data, name="personal_data"),
        path("logotyp/", views.logo, name="logo"),
        path("oversikt/", views.dashboard, name="dashboard"),
        path("handlaggning/", views.officer_home, name="officer_home"),
        path("handlaggning/diarium/", views.diarium, name="diarium"),
        path("handlaggning/gallringsstopp/", views.legal_holds, name="legal_holds"),
        path(
            "handlaggning/gallringsstopp/<id:pk>/hav/",
            views.legal_hold_lift,
            name="legal_hold_lift",
        ),
        path("handlaggning/diarium.<spreadsheet:fmt>", views.diarium, name="diarium_export"),
        path("konto/profil/", views.profile, name="profile"),
        path("konto/tvafaktor/klar/", views.mfa_continue, name="mfa_continue"),
        path("konto/notiser/", views.notifications_page, name="notifications"),
        path("konto/mina-uppgifter/", views.my_data, name="my_data"),
        path("konto/mina-uppgifter/hamta/", views.my_data_download, name="my_data_download"),
        path("konto/avsluta/", views.account_erase, name="account_erase"),
        path("konto/avslutat/", views.account_erased, name="account_erased"),
        path("konto/e-legitimation/", eid_views.account, name="eid_account"),
        path("konto/e-legitimation/kravs/", eid_views.required, name="eid_required"),
        path("konto/e-legitimation/<id:pk>/ta-bort/", eid_views.unlink, name="eid_unlink"),
        # allauth's SAML addresses, wrapped (portal.eid.views); before allauth's own below
        path("konto/saml/<str:organization_slug>/acs/", eid_views.saml_acs, name="eid_saml_acs"),
        path(
            "konto/saml/<str:organization_slug>/acs/finish/",
            eid_views.saml_finish_acs,
            name="eid_saml_finish_acs",
        ),
        path("konto/saml/<str:organization_slug>/sls/", eid_views.saml_sls, name="eid_saml_sls"),
        path(
            "konto/oidc/<str:provider_id>/login/callback/",
            eid_views.oidc_callback,
            name="eid_oidc_callback",
        ),
        path(
            "konto/e-legitimation/underskrift/<str:intent_id>/",
            eid_signing.finish,
            name="eid_sign_finish",
        ),
    ],
    "portal",
)

urlpatterns = [
    path("", include(app_urls)),
    path("", include("organisations.urls")),
    path("", include("grants.urls")),
    path("", include("agreements.urls")),
    path("", include("insights.urls")),
    path("", include("dialogue.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("konto/", include("allauth.urls")),
    # No CSRF token: choosing a language changes nothing but a cookie, and a token in the
    # header would make every public page differ from visitor to visitor (portal.public_cache).
    path("i18n/setlang/", csrf_exempt(login_not_required(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
]
