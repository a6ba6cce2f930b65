"""Learning Loop settings: everything that differs between machines comes from the environment.

Defaults are safe for `make demo` (SQLite file, ORM broker, console email). Production differs
only by environment variables: see docs/deploy.md and the README's Configuration section.
"""

import sys
from email.utils import parseaddr
from pathlib import Path

import environ

from core.clock import TIME_ZONE_NAME

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me-" + "x" * 30)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
PARTNERSHIP_NAME = env.str("PARTNERSHIP_NAME", default="Dudley Safeguarding People Partnership")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_q",
    "allauth",
    "allauth.account",
    "people",
    "messaging",
    "courses",
    "bookings",
    "evaluations",
    "competency",
    "reports",
    "imports",
    "privacy",
    # Tooling: load_demo only.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "privacy.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "people.middleware.SessionTimeoutMiddleware",
    "people.middleware.PrivatePagesMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "people.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: a SQLite file in the project folder, in WAL mode with a busy timeout and IMMEDIATE
# transactions so the web server and the django-q2 worker queue for the write lock instead of
# failing with "database is locked".
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    _db.setdefault("TEST", {})
    # Tests use a file database too, so concurrency tests exercise real locking.
    _db["TEST"].setdefault(
        "NAME", env.str("SQLITE_TEST_DB", default=str(BASE_DIR / "test-db.sqlite3"))
    )
elif _db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db.setdefault("OPTIONS", {})
    # No JIT: the report's reads of 150,000 rows cross jit_above_cost as the data grows, and
    # compiling them costs more (0.36 s seen at 100x) than the query it speeds up. Short
    # queries never use it. An `options` given in DATABASE_URL wins.
    _db["OPTIONS"].setdefault("options", "-c jit=off")
    if env.bool("DB_POOL", default=False):
        _db["OPTIONS"]["pool"] = True
    else:
        _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
IS_POSTGRES = _db["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

# --- Cache and background jobs --------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # A shared cache (not per-process locmem) so allauth's rate limits hold across the web
    # server and the worker; the table is created by `manage.py createcachetable`.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "learning_loop_cache",
        }
    }

Q_CLUSTER = {
    "name": "learning-loop",
    "workers": env.int("Q_WORKERS", default=1 if not REDIS_URL else 2),
    "timeout": 60,
    "retry": 120,  # must exceed timeout, or a slow task runs twice
    "max_attempts": 3,
    "catch_up": False,
    "ack_failures": True,
    "save_limit": 500,
    # Tests run tasks inline (django-q2 reads this once, at import).
    "sync": env.bool("Q_SYNC", default=TESTING),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

# --- Sign-in (django-allauth, email only, login by code) ------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1", "password2"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_SIGNUP_FORM_CLASS = "people.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "people.adapters.AccountAdapter"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Learning Loop] "
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PASSWORD_MIN_LENGTH = 10
# allauth's rate limits (the defaults) plus our own, kept in the same cache: the hand-over form
# answers whether an address is a colleague's, so a person may try only a few a minute.
ACCOUNT_RATE_LIMITS = {"handover": env.str("RATE_LIMIT_HANDOVER", default="5/m/user,20/h/user")}
# Behind N reverse proxies you control, the client IP (for rate limits) is the Nth address
# from the right of X-Forwarded-For; 0 trusts no header (direct connections).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Empty: anyone may sign up; otherwise only these email domains (and their sub-domains).
SIGNUP_ALLOWED_DOMAINS = env.list("SIGNUP_ALLOWED_DOMAINS", default=[])
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"

# Argon2id first (people/hashers.py says why); the others only read older hashes, which are
# re-hashed with Argon2id at the next sign-in.
PRODUCTION_PASSWORD_HASHERS = [
    "people.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ----------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Learning Loop <training@example.org>")
# The L&D team's mailbox: every email's Reply-To (a reply reaches a person, not the robot) and the
# calendar invites' ORGANIZER. By default the address in DEFAULT_FROM_EMAIL.
LEAD_MAILBOX = env.str("LEAD_MAILBOX", default=parseaddr(DEFAULT_FROM_EMAIL)[1])
# Seconds before a hung SMTP connection fails the send (Django's default is to wait for ever, which
# would hold a worker and, past the claim's staleness, let another worker send the same email).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# A sign-in email (code, confirmation, password reset) waits this long in the shared cache for
# the worker (people/account_mail.py); one that waited longer is dropped, its code stale.
ACCOUNT_EMAIL_STASH_SECONDS = env.int("ACCOUNT_EMAIL_STASH_SECONDS", default=900)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = TIME_ZONE_NAME  # core/clock.py: the partnership works in London
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
# Each is a promise about the whole domain (every sub-domain; browsers' built-in lists), which the
# partnership's IT must make, so both are off unless set.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# `check --deploy` would warn that they are off: that is the decision above, not an oversight.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions: 12 hours at most for everyone; staff roles (trainer, L&D lead, organisation manager,
# admin) are signed out after 30 minutes without a request. Logout deletes the server-side session.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
SESSION_STAFF_IDLE_SECONDS = env.int("SESSION_STAFF_IDLE_SECONDS", default=30 * 60)
# Last activity is written to the session at most this often (people/middleware.py).
SESSION_ACTIVITY_RESOLUTION_SECONDS = 60

# Content-Security-Policy (django-csp): no inline scripts, no third-party origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Messages ("Your place is booked, Pat") live in the server-side session, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Evaluation and offer links carry their key in the path: every log line shows the route instead
# (people/log_filters.py), in Django's request and server errors as in gunicorn's access log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_link_keys": {"()": "people.log_filters.HideLinkKeys"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["hide_link_keys"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Learning Loop ------------------------------------------------------------------------
CATALOGUE_PAGE_SIZE = 20
# The most places one event may offer (a venue's own capacity may be lower).
EVENT_CAPACITY_MAX = env.int("EVENT_CAPACITY_MAX", default=500)
# The longest series the lead may create at once (courses.services.series_starts).
EVENT_SERIES_MAX = 52
# A freed place is offered to the first on the waiting list for this long (never past the start).
BOOKING_OFFER_HOURS = env.int("BOOKING_OFFER_HOURS", default=24)
# Reminder email this many days before an event.
BOOKING_REMINDER_DAYS = env.int("BOOKING_REMINDER_DAYS", default=2)
# How long a booking waits for the event's row lock before "busy, try again" (PostgreSQL).
BOOKING_LOCK_TIMEOUT_MS = env.int("BOOKING_LOCK_TIMEOUT_MS", default=3000)
# A claimed email whose worker died is reclaimed after this long (longer than the task timeout).
# Between the task timeout (60) and django-q2's retry (120): a re-delivered task takes over.
EMAIL_CLAIM_STALE_SECONDS = env.int("EMAIL_CLAIM_STALE_SECONDS", default=90)
# An owed email not picked up after this long is queued again by the outbox sweeper; a failed one
# is tried again after a back-off, until it has been tried EMAIL_MAX_ATTEMPTS times on every path
# (then it is given up, and the lead sees it and can send it again). The back-off doubles from
# EMAIL_RETRY_BASE_SECONDS up to EMAIL_RETRY_MAX_SECONDS, each wait drawn within
# +/- EMAIL_RETRY_JITTER of it: with the defaults the tries span at least 8 hours (at the lowest
# draw), so an SMTP outage of six hours loses nothing (messaging.outbox.retry_delay).
EMAIL_PENDING_RESEND_SECONDS = env.int("EMAIL_PENDING_RESEND_SECONDS", default=300)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=16)
EMAIL_RETRY_BASE_SECONDS = env.float("EMAIL_RETRY_BASE_SECONDS", default=60)
EMAIL_RETRY_MAX_SECONDS = env.float("EMAIL_RETRY_MAX_SECONDS", default=3600)
EMAIL_RETRY_JITTER = env.float("EMAIL_RETRY_JITTER", default=0.2)
# Sooner than that, an owed email is presumed lost (a killed worker's prefetched task) once an
# email owed after it was claimed this long ago: the broker hands tasks out in order.
EMAIL_OVERTAKEN_SECONDS = env.int("EMAIL_OVERTAKEN_SECONDS", default=30)

# A trainer may change an event's register (marks, walk-ins) until the end of this many days
# after the event ends; after that only the L&D lead may amend it.
REGISTER_TRAINER_DAYS_AFTER = env.int("REGISTER_TRAINER_DAYS_AFTER", default=14)

# --- Evaluations ----------------------------------------------------------------------------
EVAL_LINK_DAYS = {"pre": 30, "post": 30, "stage2": 60}
EVAL_LINK_DAYS.update(
    {k: env.int(f"EVAL_LINK_DAYS_{k.upper()}", default=v) for k, v in EVAL_LINK_DAYS.items()}
)
# Pre-course invitation: when the place is confirmed (None) or this many days before the event.
EVAL_PRE_INVITE_DAYS_BEFORE = env.int("EVAL_PRE_INVITE_DAYS_BEFORE", default=None)
EVAL_STAGE2_AFTER_DAYS = env.int("EVAL_STAGE2_AFTER_DAYS", default=84)  # 12 weeks
# Post-course invitation: for a course that ended at most this many days ago (a register marked
# a little late still counts). Never for older courses, such as an imported past year's, whose
# delegates would otherwise be asked "How was it?" years on.
EVAL_POST_INVITE_WITHIN_DAYS = env.int("EVAL_POST_INVITE_WITHIN_DAYS", default=28)
EVAL_REMINDER_DAYS = env.list("EVAL_REMINDER_DAYS", cast=int, default=[3, 7])
# The certificate of attendance waits for the post-course evaluation.
EVAL_CERTIFICATE_NEEDS_POST = env.bool("EVAL_CERTIFICATE_NEEDS_POST", default=True)
# Ask the delegate's line manager the stage-2 questions too (a second rater).
EVAL_STAGE2_LINE_MANAGER = env.bool("EVAL_STAGE2_LINE_MANAGER", default=True)
# More bad evaluation links than this in a minute get 429: per address for links that cannot be
# real (bad signature), per link for real links that no longer work (evaluations/views.py).
EVAL_BAD_LINKS_PER_MINUTE = env.int("EVAL_BAD_LINKS_PER_MINUTE", default=20)
# Optional charges to agencies for places wasted (0 = the partnership does not charge): per
# unexplained no-show (no reason recorded) and per late cancellation, in pounds.
CHARGE_NO_SHOW = env.float("CHARGE_NO_SHOW", default=0.0)
CHARGE_LATE_CANCELLATION = env.float("CHARGE_LATE_CANCELLATION", default=0.0)
REPORT_MIN_GROUP_SIZE = env.int("REPORT_MIN_GROUP_SIZE", default=5)
# Reports open on the last complete reporting year while the current one has fewer events than
# this so far (and fewer than last year had).
REPORT_CURRENT_YEAR_MIN_EVENTS = env.int("REPORT_CURRENT_YEAR_MIN_EVENTS", default=10)
# Competency framework: an achievement "runs out soon" (and its holder is reminded, once) this
# many days before its refresher date.
COMPETENCY_REMINDER_DAYS = env.int("COMPETENCY_REMINDER_DAYS", default=60)
# Organisation managers may book a place for one of their own staff (from their staff page), with
# the same checks as any booking. Off: only the person, and the lead, book.
MANAGER_CAN_BOOK = env.bool("MANAGER_CAN_BOOK", default=False)
# After an import, queue a task drawing the opening report pages' charts (reports.warm). Off in
# the tests (tasks run inline there), except those that test it.
REPORT_CHARTS_AFTER_IMPORT = env.bool("REPORT_CHARTS_AFTER_IMPORT", default=not TESTING)
# The annual section (.docx) is written on this Word file: its page size, margins, header and
# footer and styles are kept, its text removed. Replace it with the partnership's own template.
ANNUAL_DOCX_TEMPLATE = env.str(
    "ANNUAL_DOCX_TEMPLATE", default=str(BASE_DIR / "reports" / "word" / "annual_template.docx")
)
# How many of the comments the lead marked publishable the annual section quotes.
ANNUAL_REPORT_QUOTES = env.int("ANNUAL_REPORT_QUOTES", default=3)
# Anonymise people this many days after their last activity (default: 6 years, leap days included).
PRIVACY_RETENTION_DAYS = env.int("PRIVACY_RETENTION_DAYS", default=2192)

if TESTING:
    # Fast hashing in tests only: the suite creates many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic before tests: plain storage, and WhiteNoise serves from the finders.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
