"""The only settings module. Everything that differs between machines comes from the environment.

See the README's "Configuration" table for every variable and its default.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret") if DEBUG else env.str("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable ; it may not be empty.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "django_htmx",
    "accounts",
    "students",
    "iep",
    "timelines",
    "meetings",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# SQLite is the embedded default (decision 6); PostgreSQL is what districts and CI run.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", default=False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        # How long a request waits for a connection before failing (503, see docs/resilience.md). psycopg's
        # default is 30 s, which hung every request while PostgreSQL was down.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=1.0),
    }
# A read replica for dashboards and exports (config/db_router.py, docs/scaling.md): optional.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors see nothing

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"  # decision 7: "today", overdue and nightly jobs use Massachusetts time
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (prefix, NODE_MODULES / path)
    for prefix, path in [("uswds", "@uswds/uswds/dist"), ("htmx", "htmx.org/dist")]
    if (NODE_MODULES / path).is_dir()  # `npm ci` puts them there; `make` runs it
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": REDIS_URL,
         # short timeouts: a hung Redis costs a cache call at most a second (docs/resilience.md)
         "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = CELERY_TASK_EAGER_PROPAGATES = not REDIS_URL  # no Redis: run in-process
CELERY_TASK_ACKS_LATE = True  # safe only because every task is idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2  # enqueueing fails fast while Redis is down
CELERY_TIMEZONE = TIME_ZONE
if env.bool("CELERY_QUEUES_BY_KIND", default=False):  # one queue per kind of work (config/celery_routes.py)
    CELERY_TASK_ROUTES = ("config.celery_routes.route_by_kind",)
CELERY_BEAT_SCHEDULE: dict = {}
# timelines: recompute every student's deadlines (and move statuses on) at 02:00 America/New_York.
CELERY_BEAT_SCHEDULE["timelines-nightly-deadlines"] = {
    "task": "timelines.tasks.deadlines_nightly_task",
    "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=2, minute=0),
}
# timelines dashboards: each school's overdue count for the trend, after the recompute has moved statuses on.
CELERY_BEAT_SCHEDULE["timelines-nightly-deadline-snapshots"] = {
    "task": "timelines.tasks.deadline_snapshots_task",
    "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=4, minute=0),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.BasicAuthenticationWithoutSecondFactor",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies: depth, top-level object and 64-bit integers checked before parsing (config/input_checks.py)
    "DEFAULT_PARSER_CLASSES": ["config.input_checks.GuardedJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Massachusetts IEP API",
    "DESCRIPTION": "Students, IEPs and deadlines, scoped to what the signed-in user may see.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DisabilityEnum": "students.disabilities.Disability",
        "GradeEnum": "students.disabilities.Grade",
        "GuardianRelationshipEnum": "students.models.Guardian.Relationship",
        "DeadlineStatusEnum": "timelines.models.Deadline.Status",
        "IEPStatusEnum": "iep.models.IEP.Status",
    },
}

IEP_LOCK_LEASE = timedelta(minutes=env.int("IEP_LOCK_LEASE_MINUTES", default=30))

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database only (Django's default engine), never in Redis: with Redis stopped or hung staff
# still sign in, read, edit and save (docs/resilience.md).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:  # must pass `manage.py check --deploy` with no warnings
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

# Structured, one line per event. Never log student names or birth dates: log ids.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"kv": {"format": "ts=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---- Security hardening (issue 10): CSP, session limits, login lockout, two-factor, structured logs ----
from django.utils.csp import CSP  # noqa: E402

INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE = ["config.logging.RequestContextMiddleware", *MIDDLEWARE]  # request id first: every log line has it
MIDDLEWARE += [
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "iep.middleware.LockNoticeMiddleware")  # issue 5
# `make run` (DEBUG): the project's 404 page, never Django's list of every URL (config/debug_404.py). Inside
# CommonMiddleware, so APPEND_SLASH still redirects; after authentication, so the page shows who is signed in.
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "config.debug_404.DebugNotFoundMiddleware")
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginLockoutBackend", *AUTHENTICATION_BACKENDS]
TEMPLATES[0]["OPTIONS"]["context_processors"] += ["django.template.context_processors.csp"]

# A strict policy in every environment: only this origin, no inline code, no eval (htmx runs with allowEval false).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],  # USWDS icons are data: URIs in its CSS
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Sessions end after 30 minutes without activity and 12 hours after sign-in, whichever comes first
# (accounts.middleware.SessionLimitsMiddleware). Heartbeats do not count as activity (decision 4).
IEP_SESSION_IDLE = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
IEP_SESSION_MAX = timedelta(hours=env.int("SESSION_MAX_HOURS", default=12))

# django-axes: lock a username at one address after 5 failures, for 15 minutes. Keyed by BOTH, never by
# address alone: a whole school building signs in from one address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the pause ends 15 minutes after the fifth failure, as shown
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"  # an explained page (429), not a bare 403
# Behind a reverse proxy (Caddy, a load balancer) the client's address is the one the proxies appended to
# X-Forwarded-For, counted from the right: TRUSTED_PROXY_COUNT is how many proxies this app trusts (0: none, use
# REMOTE_ADDR). django-ipware (declared in pyproject) reads it for the lockout; DRF throttles and the access log
# use the same address (accounts.security.client_ip). AXES_IPWARE_PROXY_COUNT is the older name.
IEP_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_IPWARE_PROXY_COUNT", default=0))
# ipware counts the proxies listed INSIDE X-Forwarded-For ("client, proxy1, ..."); the last proxy is REMOTE_ADDR.
AXES_IPWARE_PROXY_COUNT = IEP_TRUSTED_PROXY_COUNT - 1 if IEP_TRUSTED_PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if IEP_TRUSTED_PROXY_COUNT else (
    "REMOTE_ADDR",)
AXES_VERBOSE = False  # no start-up banner: commands keep a clean stderr (compute_deadlines prints one line)

# django-otp: TOTP devices; the issuer is what authenticator apps show next to the account.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Massachusetts IEP")

LOGGING["formatters"]["json"] = {"()": "config.logging.JsonFormatter"}
LOGGING["filters"] = {"redact_student_data": {"()": "config.logging.RedactStudentData"}}
LOGGING["handlers"]["console"].update(formatter=env.str("LOG_FORMAT", default="json"),
                                      filters=["redact_student_data"])

# Printed IEP documents (issue 8): name their enums so the API schema has no collisions
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "DocumentKindEnum": "iep.models.documents.RenderedDocument.Kind",
    "DocumentStatusEnum": "iep.models.documents.RenderedDocument.Status",
    "SectionKindEnum": "iep.models.sections.Section.Kind",
    "IEPStatusEnum": "iep.models.iep.IEP.Status",
})

# Hostile input (docs/resilience.md): date range, NUL and surrogates, integer bounds, unknown API fields
INSTALLED_APPS += ["config.apps.InputChecksConfig"]

# jobs: the outbox (decision 3) and fail-fast enqueueing while Redis is down (issue 10).
INSTALLED_APPS += ["jobs"]
CELERY_TASK_PUBLISH_RETRY = False  # a send to a dead broker fails at once; the outbox row waits for the dispatcher
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0,
    # an unacknowledged job (its worker killed) goes back to the queue after this many seconds
    # (5 minutes: a worker killed as a whole has its jobs redelivered within minutes; a job running longer than
    # this is handed to a second worker while the first still runs; every job is idempotent, see docs/resilience.md)
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    # ... found by a sweep every interval x throttle seconds (kombu's defaults: 10 x 10)
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_BEAT_SCHEDULE["jobs-outbox-dispatch"] = {"task": "jobs.tasks.outbox_dispatch_task", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["jobs-outbox-purge"] = {
    "task": "jobs.tasks.outbox_purge_task",
    "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=3, minute=30),
}
JOBS_MAX_DELIVERIES = env.int("JOBS_MAX_DELIVERIES", default=3)
# Resilience (docs/resilience.md): a job published but not started by a worker within this bound is re-sent by the
# minute's sweep; asking again for a document queued this long requeues it; /healthz flags an older open job.
JOBS_RESEND_AFTER_SECONDS = env.int("JOBS_RESEND_AFTER_SECONDS", default=300)
IEP_PDF_REQUEUE_AFTER_SECONDS = env.int("IEP_PDF_REQUEUE_AFTER_SECONDS", default=30)
JOBS_BACKLOG_ALERT_SECONDS = env.int("JOBS_BACKLOG_ALERT_SECONDS", default=900)
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [  # issue 10: every operation documents its errors
    "drf_spectacular.hooks.postprocess_schema_enums", "config.api_docs.document_errors"]

# Deadline dashboards (issue 7): a third serializer with a deadline `key` makes the two key enums collide
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "DeadlineKeyEnum": "timelines.models.DeadlineKey",
    "EventKeyEnum": "timelines.models.EventKey",
})

# ---- Security edges (docs/security.md) ----
# Nothing with student data may be kept by a browser cache or a proxy: no-store on every response but static files.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "accounts.middleware.NoStoreMiddleware")

# The API: personal access tokens and the browser's session; HTTP Basic (a password on every request) only outside
# production. The browsable API and the schema/docs without sign-in only outside production too.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "rest_framework.authentication.SessionAuthentication",
    "accounts.authentication.ApiTokenAuthentication",
    *([] if PRODUCTION else ["accounts.authentication.BasicAuthenticationWithoutSecondFactor"]),
]
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "rest_framework.renderers.JSONRenderer",
    *([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
]
IEP_API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=not PRODUCTION)
# Every write (POST, PUT, PATCH, DELETE) is throttled per user (or per address when anonymous).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["accounts.throttling.WriteRateThrottle"]
IEP_API_WRITE_RATE = env.str("API_WRITE_RATE", default="120/minute")
REST_FRAMEWORK["NUM_PROXIES"] = IEP_TRUSTED_PROXY_COUNT or None

# Sign-in (issue 23): single sign-on per district, password change/reset, email through the outbox, security log.
INSTALLED_APPS += ["signin", "django_otp.plugins.otp_static"]
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")  # links in emails
SIGNIN_SECRET_KEY = env.str("SIGNIN_SECRET_KEY", default="")  # encrypts stored client secrets; else SECRET_KEY
SIGNIN_OIDC_TIMEOUT = env.float("SIGNIN_OIDC_TIMEOUT", default=5.0)  # seconds, each call to a provider
SIGNIN_RATE_LIMITS = env.bool("SIGNIN_RATE_LIMITS", default=True)
SIGNIN_LOGIN_PER_USERNAME = env.int("SIGNIN_LOGIN_PER_USERNAME", default=20)  # posts per username+address / 5 min
# SSO starts + callbacks per address per 5 minutes: generous, since a whole school signs in from one address at 8am
SIGNIN_OIDC_PER_ADDRESS = env.int("SIGNIN_OIDC_PER_ADDRESS", default=600)
SIGNIN_RESET_PER_ADDRESS = env.int("SIGNIN_RESET_PER_ADDRESS", default=10)  # reset requests per 15 minutes
SIGNIN_RESET_PER_EMAIL = env.int("SIGNIN_RESET_PER_EMAIL", default=3)  # reset requests per address per hour
SIGNIN_EMAIL_MAX_ATTEMPTS = env.int("SIGNIN_EMAIL_MAX_ATTEMPTS", default=50)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=24) * 3600
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Massachusetts IEP <iep@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
if env.str("EMAIL_URL", default=""):  # e.g. smtp+tls://user:password@smtp.example.org:587
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
else:  # no mail server configured: emails are printed by the worker (development)
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
CELERY_BEAT_SCHEDULE["signin-email-retry"] = {"task": "signin.tasks.email_retry_task", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["signin-weekly-digest"] = {  # Monday 06:00 America/New_York
    "task": "signin.tasks.weekly_digest_task",
    "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=6, minute=0, day_of_week=1),
}

# Production deployment (docs/production.md): static files, the proxy in front, the beat schedule, Celery's logs.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
if PRODUCTION:
    # WhiteNoise serves the collected static files (hashed names, compressed, cached for a year) from gunicorn.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES["staticfiles"] = {"BACKEND": "config.storage.StaticFilesStorage"}
    # The container's health probe asks gunicorn over plain HTTP; everything else is redirected to HTTPS.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# "This came over HTTPS" is decided by gunicorn, which believes X-Forwarded-Proto only from the proxy's address
# (forwarded_allow_ips). Trusting the header in Django as well would believe anyone who reaches gunicorn; a
# server other than gunicorn, behind a proxy that always overwrites the header, may turn this on.
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if "jobs-outbox-dispatch" in CELERY_BEAT_SCHEDULE:  # how often beat sweeps the outbox (the smoke test: 2 s)
    CELERY_BEAT_SCHEDULE["jobs-outbox-dispatch"]["schedule"] = env.float(
        "OUTBOX_SWEEP_SECONDS", default=CELERY_BEAT_SCHEDULE["jobs-outbox-dispatch"]["schedule"])
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers and beat keep LOGGING (JSON, redaction): see config/celery.py
# progress reports: move the progress_report deadline rows' statuses on, after the 02:00 deadline recompute.
CELERY_BEAT_SCHEDULE["progress-nightly-deadlines"] = {
    "task": "progress.tasks.progress_deadlines_nightly_task",
    "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=2, minute=30),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ProgressSentMethodEnum"] = "progress.models.ProgressDocument.Method"

# Roster import (docs/roster-import.md): OneRoster / plain CSV from the district's SIS.
INSTALLED_APPS += ["roster"]
ROSTER_MAX_UPLOAD_MB = env.int("ROSTER_MAX_UPLOAD_MB", default=100)      # an upload (or a file given to the command)
ROSTER_MAX_UNPACKED_MB = env.int("ROSTER_MAX_UNPACKED_MB", default=500)  # what a zip may unpack to

SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({  # Team meetings (docs/meetings.md)
    "IEPMeetingTypeEnum": "iep.models.iep.IEP.MeetingType",
    "MeetingTypeEnum": "meetings.models.Meeting.Type",
    "MeetingStatusEnum": "meetings.models.Meeting.Status",
    "AttendanceKindEnum": "meetings.models.Attendance.Kind",
    "ConsentKindEnum": "meetings.models.EvaluationConsent.Kind",
})
