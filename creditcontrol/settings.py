"""One settings module, read from the environment.

With nothing set it runs on the embedded default: a SQLite file beside the code,
Celery tasks executed in-process, e-mail written to files in sent-mail/. ``DATABASE_URL``
switches to PostgreSQL and ``REDIS_URL`` to a real Celery broker and cache, which
is what CI, docker-compose and production use. See the configuration table in
README.md for every variable.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# A deployment always sets SECRET_KEY; its absence marks the embedded default (a
# newcomer's laptop, the test suite), where DEBUG is on and HTTPS is not enforced.
DEPLOYED = "SECRET_KEY" in env.ENVIRON
DEBUG = env.bool("DEBUG", default=not DEPLOYED)
SECRET_KEY = env.str(
    "SECRET_KEY", default="insecure-development-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "creditcontrol",
    "events",
    "ledger",
    "communications",
    "charges",
    "followups",
    "reports",
    "portal",
    "inbound",
    "webhooks",
    "team",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "creditcontrol.not_found.NotFoundPageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "creditcontrol.sessions.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # JSON 413 and 500 on /api/ (before anything reads the body).
    "creditcontrol.api_middleware.ApiErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "team.sessions.SignOutEverywhereMiddleware",
    # Dates on pages and exports in the user's company's convention (creditcontrol/dates.py).
    "creditcontrol.dates.DateConventionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Report reads to the replica, when there is one; marks who just wrote.
    "creditcontrol.db_router.ReplicaReadsMiddleware",
    # Last, so it sees the outcome of every sign-in (see creditcontrol/signin.py).
    "axes.middleware.AxesMiddleware",
]

# A sync batch holds up to 10,000 rows: about 3 MB as JSON, so the limit leaves room.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=16 * 1024 * 1024)

ROOT_URLCONF = "creditcontrol.urls"
WSGI_APPLICATION = "creditcontrol.wsgi.application"

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
                "creditcontrol.roles.roles_context",
                # The notifications and unmatched-mail counts of the navigation, in one query.
                "inbound.context_processors.navigation_counts",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
SILENCED_SYSTEM_CHECKS: list[str] = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot build covering indexes; it uses the same indexes without INCLUDE.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
    # WAL and a busy timeout let the dev server and an in-process task share the file.
    # IMMEDIATE: a transaction takes the write lock when it begins, so two people writing
    # at once queue for up to ``timeout`` seconds instead of one failing with "database is
    # locked" when it upgrades a read lock (a 500 where PostgreSQL answers 409).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A kept connection is checked before a request uses it, so that after PostgreSQL
    # restarts each process reconnects by itself instead of failing once per worker.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compilation costs 100-150 ms on the list's sort-by-balance query, more than it
    # saves: the application's queries are short and index-driven.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
    # A database that does not answer makes a request fail (503) after this, not hang.
    options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Past one machine: reports and exports read from a PostgreSQL streaming replica when
# one is given; writes, the engine and every other page stay on the primary
# (creditcontrol/db_router.py says which read goes where and why).
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=30)
REPLICA_READ_PATHS = ("/reports/", "/api/v1/reports/")
if REPLICA_DATABASE_URL:
    replica = env.db_url_config(REPLICA_DATABASE_URL)
    replica["ATOMIC_REQUESTS"] = False
    replica["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    replica["CONN_HEALTH_CHECKS"] = DATABASES["default"].get("CONN_HEALTH_CHECKS", False)
    replica["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Tests run against the primary's test database under the replica's name.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
    DATABASE_ROUTERS = ["creditcontrol.db_router.ReplicaRouter"]

REDIS_URL = env.str("REDIS_URL", default="")


def redis_caches(url: str) -> dict:
    """The cache on Redis; it falls back to local memory while Redis is down."""
    return {
        "default": {
            "BACKEND": "creditcontrol.cache.FallbackRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="creditcontrol"),
        }
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when REDIS_URL is set. The embedded default needs no server either: kombu's
# filesystem transport keeps the queue in files under CELERY_FS_DIR, and `make demo` starts
# a worker with embedded beat beside the web server, so a newcomer's runs, promise checks,
# automatic levels and outbox go as in production. The test suite runs tasks in-process.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # visibility_timeout: a task a killed worker held (acks_late) is redelivered after
    # this, so it must exceed the longest task (an engine run on the bench data: ~30 s; an
    # outbox delivery stops itself after DELIVERY_SECONDS, 240 s). kombu looks for such
    # tasks every interval times throttle seconds (100 s by default): every 10 s here, a cheap
    # read of one sorted set, so a dead worker's task is back within ~10 s of the timeout.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_FS_DIR = env.path("CELERY_FS_DIR", default=BASE_DIR / "var" / "celery")
    for folder in ("queue", "processed"):
        (Path(CELERY_FS_DIR) / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(Path(CELERY_FS_DIR) / "queue"),
        "data_folder_out": str(Path(CELERY_FS_DIR) / "queue"),
        "processed_folder": str(Path(CELERY_FS_DIR) / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = REDIS_URL or None
# The follow-up engine's transaction sets PostgreSQL's work_mem to this (SET LOCAL): its
# per-customer aggregates over a million entries spill to disk at the server's default.
FOLLOWUP_ENGINE_WORK_MEM = env.str("FOLLOWUP_ENGINE_WORK_MEM", default="64MB")
# ... and plans for data on SSD and mostly cached (the server's defaults assume spinning
# disks): an incremental run then reads a few customers' entries through their index
# rather than scanning the company's. Names PostgreSQL's, values as SET takes them.
FOLLOWUP_ENGINE_PLANNER = {"random_page_cost": "1.1", "effective_cache_size": "4GB"}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    # The daily follow-up run: every few minutes beat asks which companies' own clocks
    # have passed their plan's run time today; each of those gets its run once a day
    # (then its automatic levels are executed and the outbox delivers them).
    "run-due-companies": {
        "task": "followups.tasks.run_due_companies",
        "schedule": env.float("FOLLOWUP_SCHEDULE_SECONDS", default=300.0),
    },
    # Hourly, so each company is checked soon after its own midnight; a rerun is a no-op.
    "check-promises": {"task": "communications.tasks.check_promises", "schedule": 3600.0},
    # The outbox: due emails and letters each minute; rows a dead worker left "sending"
    # go to review (never resent blindly) every five minutes.
    "deliver-outbox": {"task": "followups.tasks.deliver_outbox", "schedule": 60.0},
    "flag-stale-outbox": {"task": "followups.tasks.flag_stale_outbox", "schedule": 300.0},
    # Work requests queued while the broker was away (creditcontrol/taskqueue.py).
    "relay-queued-tasks": {"task": "creditcontrol.tasks.relay_queued_tasks", "schedule": 60.0},
    # Webhooks: each commit wakes the worker; this catches what a broker outage left.
    "deliver-webhooks": {"task": "webhooks.tasks.deliver_webhooks", "schedule": 60.0},
    # The reply mailbox (when INBOUND_IMAP_HOST is set): new mail each minute.
    "poll-reply-mailbox": {"task": "inbound.tasks.poll_mailbox", "schedule": 60.0},
}
# A request relays its tasks after commit; with the broker down it must fail at once.
CELERY_BROKER_CONNECTION_TIMEOUT = 2

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # managers to the dashboard, controllers to the work list
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (django-axes, see creditcontrol/signin.py): failures allowed per
# user name and client address pair, and per client address whatever the user name
# (high enough for an office behind one NAT), before a lock of LOGIN_LOCKOUT_SECONDS.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=100)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
# How many proxies (each appending to X-Forwarded-For) stand before the application; 0
# takes the client's address from the connection itself.
LOGIN_TRUSTED_PROXIES = env.int("LOGIN_TRUSTED_PROXIES", default=0)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The database handler, not the cache: sign-in must keep working while Redis is down.
AXES_HANDLER = "creditcontrol.signin.SignInHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "creditcontrol.signin.failure_limit"
AXES_COOLOFF_TIME = "creditcontrol.signin.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "creditcontrol.signin.username_of"
AXES_CLIENT_IP_CALLABLE = "creditcontrol.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "creditcontrol.signin.lockout_response"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
# The languages of customers' documents and self-service page (the screens stay English).
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env.bool("STATIC_MANIFEST", default=False)
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# The embedded default writes each email to a file in EMAIL_FILE_PATH, so that nothing
# goes out by accident and the demo's statements (PDFs) do not flood the console.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="credit-control@example.com")
# Where EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes each email.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
# The address of this application as users reach it, for links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Reaching the customer (README "Reaching the customer"): self-service links, replies, copies.
PORTAL_LINK_DAYS = env.int("PORTAL_LINK_DAYS", default=60)
# Per client address and link: page views and actions allowed per minute.
PORTAL_RATE_PER_MINUTE = env.int("PORTAL_RATE_PER_MINUTE", default=30)
# Replies go to <REPLY_LOCAL>+<code>@<REPLY_DOMAIN> (default: DEFAULT_FROM_EMAIL's domain).
REPLY_LOCAL = env.str("REPLY_LOCAL", default="credit")
REPLY_DOMAIN = env.str("REPLY_DOMAIN", default="")
ENTRY_DOCUMENT_MAX_BYTES = env.int("ENTRY_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The reply mailbox polled over IMAPS; empty host: no polling.
INBOUND_IMAP_HOST = env.str("INBOUND_IMAP_HOST", default="")
INBOUND_IMAP_PORT = env.int("INBOUND_IMAP_PORT", default=993)
INBOUND_IMAP_USER = env.str("INBOUND_IMAP_USER", default="")
INBOUND_IMAP_PASSWORD = env.str("INBOUND_IMAP_PASSWORD", default="")
INBOUND_IMAP_FOLDER = env.str("INBOUND_IMAP_FOLDER", default="INBOX")
# A CA file to trust (a self-signed server certificate); empty: the system's CAs.
INBOUND_IMAP_CAFILE = env.str("INBOUND_IMAP_CAFILE", default="")
# The inbound endpoint's shared secret (Authorization: Bearer ...); empty: endpoint off.
INBOUND_SECRET = env.str("INBOUND_SECRET", default="")
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)

# HTTPS hardening: on in a deployment (SECRET_KEY set, DEBUG off), so that
# `check --deploy` passes; each can still be turned off behind a TLS-terminating proxy.
HARDENED = DEPLOYED and not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HARDENED)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HARDENED)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HARDENED)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HARDENED else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HARDENED
SECURE_HSTS_PRELOAD = HARDENED
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions end after SESSION_IDLE_SECONDS without a request, as well as at sign-out
# (renewed while used: creditcontrol/sessions.py).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 3600)

# Content-Security-Policy: every asset is served from here; pages carry no inline script
# (behaviour is in static/js/page.js). Inline style attributes remain (column widths).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication, extended with named, revocable tokens (team app).
        "team.auth.NamedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["creditcontrol.roles.HasAnyRole"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "creditcontrol.api_pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="6000/minute"),
    },
    "EXCEPTION_HANDLER": "creditcontrol.api_errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "creditcontrol API",
    "DESCRIPTION": (
        "Keep customers, contacts, ledger entries and applications in step with the "
        "accounting system, and read balances and the audit trail. Money is a decimal "
        "string with its currency code beside it; dates are ISO 8601. Authenticate with "
        "`Authorization: Token <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"RateSeriesEnum": "charges.models.RateSeries"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "creditcontrol.api_schema.describe_answers",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes logs every sign-in at INFO; failures and lock-outs are WARNING.
        "axes": {"level": "WARNING"},
    },
}
