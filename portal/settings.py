"""Settings for Samverkansportalen.

Every value comes from the environment (or a `.env` file beside `manage.py`); the defaults give
the embedded set-up of the quick start: SQLite under `var/`, Celery running tasks eagerly
in-process, email printed to the console. The README lists every variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from botocore.config import Config as BotoConfig
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The developer's own machine (`make run`): the embedded defaults below (a fixed key, SQLite,
# console email, a cache in memory, plain HTTP on localhost, static files straight from
# static/), but without DEBUG's technical pages, so a missing page shows the portal's own 404
# and an error its 500 (the traceback goes to the console). DEBUG implies it.
DEVELOPMENT = DEBUG or env.bool("DEVELOPMENT", default=False)

if DEVELOPMENT:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-never-use-in-production")
else:
    # Required outside development: the portal refuses to start without it.
    SECRET_KEY = env.str("SECRET_KEY")
    # A key copied unchanged from .env.example is known to everyone who has read that file:
    # the portal refuses to start with one, as it does without one.
    _placeholders = [
        name
        for name in (
            "SECRET_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "EID_HMAC_KEY",
            "EID_OIDC_CLIENT_SECRET",
        )
        if env.str(name, default="").lower().startswith("change-me")
    ]
    if _placeholders:
        raise ImproperlyConfigured(
            f"{', '.join(_placeholders)} still has the placeholder of .env.example (under "
            "docker compose AWS_SECRET_ACCESS_KEY is .env's S3_SECRET_KEY). Set each to a long "
            "random value of its own (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`)."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEVELOPMENT else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",
    "organisations",
    "agreements",
    "grants",
    "insights",
    "dialogue",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
]

MIDDLEWARE = [
    "portal.middleware.CanonicalHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "portal.middleware.DownloadLimitMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
            # {% url %} by row ids without matching the URL pattern anew for each row
            "builtins": ["portal.templatetags.portal_url"],
        },
    },
    {
        # The rows of the long lists, `.jinja` beside the pages that include them with
        # {% jinja_rows %} (portal.jinja).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portal.jinja.environment"},
    },
]

# Forms render through Django's templates, but for <select>, written in Python (the lists'
# filters offer every call ever opened): portal.form_renderer.
FORM_RENDERER = "portal.form_renderer.PortalFormRenderer"

# Database: PostgreSQL in production and CI, a SQLite file under var/ for the quick start.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
# A worker keeps its database connection between requests (a new connection per request cost
# more than a list page's queries); the health check drops one the database has closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # The values of a query travel apart from its SQL (server-side binding), so a statement a
    # worker's connection has run five times is prepared there and PostgreSQL plans it once,
    # not on every page: planning was most of a case page's database time (reading the case
    # took 2.1 ms in the database, 0.6 ms prepared; the page's nine queries 6.6 ms, 2.6). A
    # pooler in transaction mode (PgBouncer before 1.21) cannot keep prepared statements: set
    # DATABASE_PREPARED_STATEMENTS=false there.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The quick start's SQLite: a write transaction takes the lock when it begins and a second
    # one waits for it, so two clicks at once are one change and one clear refusal, never
    # "database is locked" (PostgreSQL locks the row instead).
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker for Celery and shared cache (rate limits) when set; otherwise tasks run eagerly
# in-process and the cache is local memory.
REDIS_URL = env.str("REDIS_URL", default="")

# The public pages the portal keeps (portal.public_cache) have a cache of their own beside the
# default, so that what visitors make it keep can never push out the login rate limits and the
# record of used two-factor codes (a local cache drops its oldest entries when full).
if REDIS_URL:
    _prefix = env.str("CACHE_KEY_PREFIX", default="portal")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _prefix,
        },
        "public": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{_prefix}-public",
        },
    }
elif DEVELOPMENT or env.bool("ALLOW_LOCAL_CACHE", default=False):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "public": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "public-pages",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
    }
else:
    # The record of used TOTP codes and the login rate limits live in the cache. A cache in
    # each process's memory would let one code be used once per worker and multiply every
    # limit by the number of workers: production needs the shared one.
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Outside development (DEVELOPMENT or DEBUG) the portal needs a "
        "shared cache (Redis): the record of used two-factor codes and the login rate limits live there, and a cache in "
        "each process's memory would accept one code once per worker. Set REDIS_URL, or, for "
        "the test suite and single-process trials only, ALLOW_LOCAL_CACHE=true."
    )

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env.str("CELERY_BROKER_URL", default=""))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With late acknowledgement a worker process holds one task at a time and takes the next only
# when it is done: a long PDF or open-data build does not sit on quick tasks fetched behind it,
# and a worker that dies hands back only what it was running.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Queues per kind of work (portal.queues): pdf, notifications, open_data, archive and the
# default `celery`. A worker without -Q consumes them all; production may run one per queue.
# Routes go by task name, so beat's entries below land in the same queues.
from portal import queues as _queues  # noqa: E402

CELERY_TASK_DEFAULT_QUEUE = _queues.DEFAULT
CELERY_TASK_QUEUES = _queues.TASK_QUEUES
CELERY_TASK_ROUTES = _queues.TASK_ROUTES
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BEAT_SCHEDULE = {
    "scan-reminders": {
        "task": "portal.tasks.scan_reminders",
        # on the hour: the 07:00 run sends the officers' daily digest
        "schedule": crontab(minute=0),
    },
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # The retention schedule's disposal (gallring), logged (portal.retention).
    "dispose-due": {
        "task": "portal.tasks.dispose_due",
        "schedule": crontab(hour=3, minute=30),
    },
    # Decisions and payments rebuild the open-data files within a minute; the nightly build
    # also takes in what changes without them (a programme's or a public body's name).
    "build-open-data": {
        "task": "grants.tasks.build_open_data",
        "schedule": crontab(hour=2, minute=30),
    },
    # The statistics follow changes within a minute; the nightly build takes in what changes
    # without a signal (bulk updates) and the passing of a year.
    "build-insights": {
        "task": "insights.tasks.build_insights",
        "schedule": crontab(hour=2, minute=45),
    },
}

# Accounts
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "portal.auth_backends.ModelBackend",
    "portal.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
# allauth's forms with messages that name their field, like the portal's own.
ACCOUNT_FORMS = {
    name: f"portal.account_forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "add_email": "AddEmailForm",
        "change_email": "ChangeEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "portal.adapters.user_display"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # mail scanners follow links; a person presses the button
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Samverkansportalen] "
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# allauth's default rate limits (login failures, sign-ups, password resets, confirmation emails)
# stay on; they are listed here so that nobody switches them off by accident.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
# Behind the municipality's TLS proxy every request comes from the proxy's address: the login
# rate limits above must count the client's. TRUSTED_PROXY_COUNT is the number of proxies of our
# own in front of the portal; the client is the address that many steps from the right of
# X-Forwarded-For (0: the header is ignored, as it can be forged without a proxy that sets it).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Or a header the proxy sets to the client's address alone (e.g. "X-Real-IP"); empty: not used.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
# A password typed within this many seconds (to log in or to confirm access) lets a person
# change their account without typing it again (portal.adapters.AccountAdapter): time enough to
# install an authenticator app after the first login.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
# ... and a session left open longer than that asks again before its email address changes:
# the address is where a password reset goes, so changing it is taking the account.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {
    name: f"portal.account_forms.{form}"
    for name, form in {
        "authenticate": "AuthenticateForm",
        "reauthenticate": "MFAReauthenticateForm",
        "activate_totp": "ActivateTOTPForm",
        "deactivate_totp": "DeactivateTOTPForm",
        "generate_recovery_codes": "GenerateRecoveryCodesForm",
    }.items()
}
MFA_TOTP_ISSUER = "Samverkansportalen"
# Accept the code of the 30 seconds before or after too: a phone's clock that is a little off,
# or a code typed as it changes, should not lock a volunteer out (RFC 6238 §5.2). A code is
# still accepted only once.
MFA_TOTP_TOLERANCE = 1

# E-legitimation (BankID, Freja eID) through Sweden Connect's SAML or an OpenID Connect broker:
# off unless configured (portal.eid.config; the README's "E-legitimation" lists the variables).
from portal.eid import config as _eid_config  # noqa: E402

_eid = _eid_config.load(env, development=DEVELOPMENT)
SOCIALACCOUNT_PROVIDERS = _eid["SOCIALACCOUNT_PROVIDERS"]
EID_ENABLED: bool = _eid["EID_ENABLED"]
EID_DEMO: bool = _eid["EID_DEMO"]
EID_HMAC_KEY: str = _eid["EID_HMAC_KEY"]
EID_ACCEPTED_LOA: list[str] = _eid["EID_ACCEPTED_LOA"]
EID_FOR_OFFICERS: str = _eid["EID_FOR_OFFICERS"]
EID_SIGNING_WINDOW: int = _eid["EID_SIGNING_WINDOW"]
EID_IDP_ORIGINS: list[str] = _eid["EID_IDP_ORIGINS"]
SOCIALACCOUNT_ADAPTER = "portal.eid.adapter.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "portal.account_forms.SocialSignupForm"}
# A provider's answer signs nobody in by an email address (`portal.eid.providers` reads none),
# nothing of it is kept but the keyed hash, the name and the level of assurance, and a login
# always goes through the portal's own form (POST), never a link.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
# Linking an e-legitimation to an account asks for the password unless it was typed within
# ACCOUNT_REAUTHENTICATION_TIMEOUT (portal.adapters): a session left open is not enough to link
# someone else's e-legitimation to it and log in as its owner from then on.
SOCIALACCOUNT_REAUTHENTICATION_REQUIRED = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"

# Internationalisation: Swedish first, English second.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale", BASE_DIR / "portal" / "locale_overrides"]
LANGUAGE_COOKIE_SECURE = not DEVELOPMENT
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise with hashed names in production.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Files of the register (annual documents): outside MEDIA_ROOT, served only through views that
# check who asks.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The portal's own address, for links in emails sent by workers (no request there). `make run`
# sets it to the host and port it serves.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# State aid: the de minimis ceiling over three years and the exchange rate used to check it.
DE_MINIMIS_CEILING_EUR = env.int("DE_MINIMIS_CEILING_EUR", default=300_000)
SEK_PER_EUR = env.str("SEK_PER_EUR", default="11.00")
# Segregation of duties: an officer does not act on an organisation they belonged to within this
# many days (nor on one they belong to now, or asked to join).
SEGREGATION_FORMER_MEMBER_DAYS = env.int("SEGREGATION_FORMER_MEMBER_DAYS", default=730)
# Invitations to an organisation: at most this many per person per hour and per organisation per
# day (counted in the database, across every worker); past that the portal refuses and sends
# nothing.
INVITATIONS_PER_ACCOUNT_PER_HOUR = env.int("INVITATIONS_PER_ACCOUNT_PER_HOUR", default=10)
INVITATIONS_PER_ORGANISATION_PER_DAY = env.int("INVITATIONS_PER_ORGANISATION_PER_DAY", default=20)
# Private files one person streams at once, on all web nodes together (portal.downloads); 0: no
# limit.
DOWNLOADS_PER_PERSON = env.int("DOWNLOADS_PER_PERSON", default=4)
# ... and one web process at once: one fewer than its threads (WEB_THREADS, the same variable
# deploy/gunicorn.conf.py reads), so that a thread is always left for pages and /readyz.
DOWNLOADS_PER_PROCESS = max(1, env.int("WEB_THREADS", default=4) - 1)
# Notifications: a row left "sending" by a worker that died is sent again after this many
# seconds. When reminders go out is set in the admin (Reminder settings), not here.
NOTIFICATION_CLAIM_TIMEOUT = env.int("NOTIFICATION_CLAIM_TIMEOUT", default=600)
# Open data (360Giving): the publisher's registered prefix and name.
OPEN_DATA_PREFIX = env.str("OPEN_DATA_PREFIX", default="360G-samverkansportalen")
OPEN_DATA_PUBLISHER = env.str("OPEN_DATA_PUBLISHER", default="Exempelkommun")
# The public pages (open calls, directory, IOP register) are kept this many seconds in a cache of
# their own (CACHES["public"], portal.public_cache): whole for visitors without a session, their
# list for everyone else inside a header of their own; 0 keeps nothing.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60)
# Lists (portal.pagination): counted exactly up to this many rows; above it a list says "more
# than 10 000" and names no number of pages, so that no page view counts a whole table.
PAGINATION_COUNT_LIMIT = env.int("PAGINATION_COUNT_LIMIT", default=10_000)
# ... and that count is kept this many seconds in the shared cache, per list and filter (the
# rows themselves are always read anew); 0 counts on every view.
PAGINATION_COUNT_CACHE_SECONDS = env.int("PAGINATION_COUNT_CACHE_SECONDS", default=30)
# What every page reads of the logged-in person (their roles, second factor, the organisations
# they are connected to and their declared conflicts) is kept this long in the shared cache,
# until any of it changes (portal.person_cache); only with Redis, unless PERSON_CACHE_LOCAL says
# that the portal runs as one process (the in-process benchmark). 0 reads it on every request.
PERSON_CACHE_SECONDS = env.int("PERSON_CACHE_SECONDS", default=300)
PERSON_CACHE_LOCAL = env.bool("PERSON_CACHE_LOCAL", default=False)
# The built open-data files (grants.json, grants.csv, their .gz and the manifest): written by the
# build (grants.open_data_store), read as they are by the open-data addresses. Served only
# through those views, so outside MEDIA_ROOT; the storage "open_data" below is the one place to
# point elsewhere.
OPEN_DATA_ROOT = env.path("OPEN_DATA_ROOT", default=VAR_DIR / "open-data")
# How long a browser or proxy may reuse an open-data file before asking again (with its ETag).
OPEN_DATA_MAX_AGE = env.int("OPEN_DATA_MAX_AGE", default=300)
# Object storage: with STORAGE_URL (`s3://bucket` or `s3://bucket/prefix`) the private files
# and the open-data files are objects in an S3-compatible bucket (MinIO, Ceph, AWS S3, ...), under
# `<prefix>/private/` and `<prefix>/open-data/`, so that every web node and worker sees what any
# other stored; PRIVATE_MEDIA_ROOT and OPEN_DATA_ROOT are then not used. Without it, the
# directories on this machine's disk. The bucket stays private: the portal streams a private file
# to whoever the view lets have it (portal.storage) and never hands out the bucket's address.
STORAGE_URL = env.str("STORAGE_URL", default="")
if STORAGE_URL:
    _storage_url = urlsplit(STORAGE_URL)
    if _storage_url.scheme != "s3" or not _storage_url.netloc:
        raise ImproperlyConfigured("STORAGE_URL must look like s3://bucket or s3://bucket/prefix.")
    _prefix_path = _storage_url.path.strip("/")
    _object_storage = {
        "bucket_name": _storage_url.netloc,
        # None lets boto3 take its own defaults (AWS's endpoint, the instance's role, ...)
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "client_config": BotoConfig(
            # MinIO and most servers of one's own want `path`; AWS `virtual` (or leave it unset)
            s3={"addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None},  # type: ignore[arg-type]
            signature_version="s3v4",
            # A bucket that stops answering holds a web thread for seconds, not boto3's minute
            # and retries; a download already under way waits this long for the next piece.
            connect_timeout=env.int("AWS_S3_CONNECT_TIMEOUT", default=5),
            read_timeout=env.int("AWS_S3_READ_TIMEOUT", default=30),
            retries={"mode": "standard", "max_attempts": 3},
        ),
        # objects take the bucket's own (private) access; no ACL is ever set to public-read
        "default_acl": None,
        "querystring_auth": True,
        # a file read whole (a PDF for the e-archive, a copy of one's data) is kept in memory up
        # to this size and on the worker's temporary disk above it
        "max_memory_size": 2 * 1024 * 1024,
    }
    _private_storage = {
        "BACKEND": "portal.storage.PrivateObjectStorage",
        # stored names are the portal's own (a random part); never overwrite one that exists
        "OPTIONS": {
            **_object_storage,
            "location": f"{_prefix_path}/private".lstrip("/"),
            "file_overwrite": False,
        },
    }
    _open_data_storage = {
        "BACKEND": "portal.storage.ObjectStorage",
        # the manifest is replaced by each build: one PUT, which S3 makes whole at once
        "OPTIONS": {
            **_object_storage,
            "location": f"{_prefix_path}/open-data".lstrip("/"),
            "file_overwrite": True,
        },
    }
else:
    _private_storage = {"BACKEND": "portal.storage.PrivateFileSystemStorage"}
    _open_data_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": OPEN_DATA_ROOT},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": _private_storage,
    "open_data": _open_data_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEVELOPMENT)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development WhiteNoise serves static/ as it is, new files included (runserver itself serves
# static files only with DEBUG on).
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT

# Email: console in development, SMTP (EMAIL_URL) in production; the test runner swaps in
# Django's in-memory backend.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEVELOPMENT else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Samverkansportalen <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Drift", address) for address in env.list("ADMINS", default=[])]
EMAIL_TIMEOUT = 10

# Security: strict by default outside development; `check --deploy` reports nothing.
# Sessions are read from the shared cache (Redis) and written through to the database: one query
# less on every page a logged-in person opens, and nothing lost when the cache is emptied. The
# person is still read from the database on every request, so a deactivated account or a
# changed password ends the session at once.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEVELOPMENT:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from the portal
# itself; no inline script, no eval, no inline style, no frames, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        # the identity providers of e-legitimation: the login and signing forms lead there
        "form-action": [SELF, *EID_IDP_ORIGINS],
        "frame-ancestors": [NONE],
        "frame-src": [NONE],
        "worker-src": [NONE],
        "manifest-src": [SELF],
    }
}
# Permissions-Policy (portal.middleware.PermissionsPolicyMiddleware): no page of the portal
# uses these browser features.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), geolocation=(), gyroscope=(), hid=(), idle-detection=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), "
    "publickey-credentials-get=(self), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every layout step at INFO; only its warnings matter.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
