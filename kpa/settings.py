"""KPA settings: one module, every deployment-specific value from the environment."""

import sys
from datetime import date as dt_date
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from kpa import gc_freeze
from kpa import mfa_keys as _mfa

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """A yes/no setting. A value that is neither (a typo such as "ture") stops the process instead of
    silently meaning "no"."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise environ.ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false).")
    return value in _TRUE


# The test suite runs on the embedded defaults; it is the one place that may use a made-up key.
TESTING = "pytest" in sys.modules or env_bool("KPA_TESTING", default=False)
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key" if DEBUG or TESTING else "")
if not SECRET_KEY:
    # Fail loudly: a production process must never run on a made-up key.
    raise environ.ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 for development).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

DJANGO_APPS = [
    "kpa.admin_site.KpaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "auditlog",
]
LOCAL_APPS = [
    "kpa",
    "schools",
    "partners",
    "programme",
    "meetings",
    "evaluations",
    "demo",
    "front",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kpa.middleware.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kpa.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "kpa.middleware.RequireMFAMiddleware",
    "kpa.middleware.NoStoreForAuthenticatedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "kpa.urls"
WSGI_APPLICATION = "kpa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kpa.context_processors.navigation",
            ],
            # After Django's builtins: its `date` and `time` filters written out for our formats, and its
            # `url` tag with the links of a list written from kept pieces.
            "builtins": ["kpa.templatetags.kpa_dates", "kpa.templatetags.kpa_urls"],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kpa.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        # A writer waits this long for the write lock (5 s by default): the outbox holds it while it sends
        # a batch, which on a busy machine can take longer than that.
        "timeout": 30,
    }
    # The test database as a file, so a Celery worker process started by a test can use it too.
    DATABASES["default"]["TEST"]["NAME"] = env.str(
        "KPA_TEST_SQLITE", default=str(VAR_DIR / "test-kpa.sqlite3")
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles a query whose estimated cost is high, which for the dashboard's counts
        # at 10,000 schools took longer (up to 0.2 s a query) than running them (docs/performance.md).
        # Options given in DATABASE_URL win.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A covering index's included columns (partners.Assignment) serve PostgreSQL; SQLite (`make run`, `make
# test`) makes the same index without them, which is all this check warns of.
SILENCED_SYSTEM_CHECKS = ["models.W040"]


def _next_redis_db(url: str) -> str:
    """The cache lives in the Redis database after the broker's, so clearing one never touches the other."""
    base, _, db = url.rpartition("/")
    return f"{base}/{int(db) + 1}" if db.isdigit() and base.count("/") >= 2 else f"{url.rstrip('/')}/1"


REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        # Redis while it answers, the database table below while it does not (kpa/cache.py): a Redis
        # outage never breaks a page, and login rate limits keep counting in the database meanwhile.
        "default": {
            "BACKEND": "kpa.cache.FallbackRedisCache",
            "LOCATION": env.str("REDIS_CACHE_URL", default=_next_redis_db(REDIS_URL)),
            "OPTIONS": {"FALLBACK": "fallback"},
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kpa_cache_fallback",  # created by kpa's migration 0006
        },
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # A cache every process on this machine shares (web, worker), so rate limits hold across them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# --- Accounts ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "kpa.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 2.1.1: at least 12 characters.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not little more than Dutch favourites and names that go with KPA ("Welkom2026!", "Utrecht-kpa-1").
    {"NAME": "kpa.passwords.ContextPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "kpa:home"
ACCOUNT_ADAPTER = "kpa.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# One address per person, changed only by an administrator (in the Django admin): a second address
# added from a hijacked session would log in and receive password resets. See kpa.adapters too.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[KPA] "
ACCOUNT_RATE_LIMITS = {
    # Failed logins per client address and per account (the key is the e-mail address, so the account
    # limit holds whichever address the attempts come from), then a pause. Counted in the shared cache.
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/5m/key",
}
# The client address for these limits (and for the session list). Behind a reverse proxy every request
# comes from the proxy: then set TRUSTED_PROXY_COUNT to the number of proxies in front of KPA that append
# to X-Forwarded-For (docker-compose.yml sets 1), or TRUSTED_CLIENT_IP_HEADER to a header the proxy
# overwrites (X-Real-IP). Without either the header is ignored, so nobody can spoof an address with it.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets and recovery-code seeds are encrypted in the database (kpa/mfa.py) with keys of their own,
# never SECRET_KEY: the first key encrypts, all decrypt (rotation: README, "Beveiliging").
MFA_ADAPTER = "kpa.mfa.MFAAdapter"
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
if not MFA_ENCRYPTION_KEYS and (DEBUG or TESTING):
    MFA_ENCRYPTION_KEYS = [_mfa.derived_development_key(SECRET_KEY)]
MFA_ENCRYPTION_KEYS = _mfa.check_keys(MFA_ENCRYPTION_KEYS, secret_key=SECRET_KEY)
# allauth refuses MFA set-up for unverified addresses, to stop an attacker who signed up with someone
# else's address. KPA has no sign-up (admins invite), so that cannot happen, and admins created in the
# Django admin must not get stuck between "set up MFA first" and "verify your e-mail first".
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "KPA"
# Sessions are recorded at login (device, IP, time); tracking "last seen" would cost 3 queries a request.
USERSESSIONS_TRACK_ACTIVITY = False

INVITATION_VALID_FOR = timedelta(days=env.int("INVITATION_VALID_DAYS", default=7))

# Sessions: 30 minutes idle (the cookie is renewed on every request), 12 hours at most in all.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security ---------------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page may use (kpa.middleware.PermissionsPolicyMiddleware); empty sends no header.
KPA_PERMISSIONS_POLICY = env.str(
    "KPA_PERMISSIONS_POLICY",
    default=", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer",
            "browsing-topics",
            "camera",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "payment",
            "usb",
        )
    ),
)
SECURE_PROXY_SSL_HEADER = (
    # Only behind a TLS proxy that overwrites X-Forwarded-Proto (docker-compose.yml sets it).
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG

# --- Language and time ------------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kpa.formats"]  # short dates the Dutch way: "5 jan. 2027"
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Django's own renderer, with its commonest widget templates written in Python (kpa.form_renderer).
FORM_RENDERER = "kpa.form_renderer.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# --- Mail -------------------------------------------------------------------------------------------
def _mailer_from_url(url_config: dict) -> dict:
    """Django 6.1's MAILERS from a django-environ EMAIL_URL (smtp://user:pass@host:587/?tls=True)."""
    backend = url_config["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    return {
        "BACKEND": backend,
        "OPTIONS": {
            "host": url_config.get("EMAIL_HOST", "localhost"),
            "port": url_config.get("EMAIL_PORT") or 25,
            "username": url_config.get("EMAIL_HOST_USER") or None,
            "password": url_config.get("EMAIL_HOST_PASSWORD") or None,
            "use_tls": bool(url_config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(url_config.get("EMAIL_USE_SSL")),
            "timeout": env.int("EMAIL_TIMEOUT", default=20),
        },
    }


MAILERS = {
    "default": _mailer_from_url(
        env.email_url("EMAIL_URL", default="consolemail://" if DEBUG or TESTING else "smtp://localhost:25")
    )
}
if DEBUG and not TESTING and "EMAIL_URL" not in env.ENVIRON:
    # `make run` and other development: each mail a file in var/mail/, to be read with any editor.
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KPA <noreply@kpa.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # An unreachable Redis host (rather than a refused port) costs at most 2 seconds, not a hang.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
else:
    # No server needed: kombu's filesystem transport, folders under var/ (the tests use their own).
    _broker_dir = VAR_DIR / ("test-broker" if TESTING else "broker")
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "messages"),
        "data_folder_out": str(_broker_dir / "messages"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
# Publishing gives up at once when the broker cannot be reached: saving a meeting still works (the mails
# it queued are rows in the database and the next sweep sends them). This is the publisher's connection
# only (kombu's default channel); a worker keeps reconnecting until the broker is back.
CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] = 0
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
# The queue web processes send to and workers take from (`celery worker -Q`): one per deployment that shares
# a broker with another, or per test that starts its own worker.
CELERY_TASK_DEFAULT_QUEUE = env.str("KPA_CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 3600
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# One beat process, schedule in code. Everything due lives in the database as outbox rows
# (kpa.outbox); the sweep runs the planners the apps registered and sends what is due. A sweep that
# waited longer than a minute in the queue (worker down) expires: the next one does the same work.
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-sweep": {
        "task": "kpa.outbox.sweep",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    # A confirmed DUO import that no worker runs (the broker was down, or its worker died): ask again.
    "schools-duo-imports": {
        "task": "schools.duo_imports_resume",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    # The roster's seat summaries counted for the new day (partners.seat_summary), before anyone filters.
    "partners-seat-summaries": {
        "task": "partners.seat_summaries_count",
        "schedule": crontab(hour=0, minute=1),
        "options": {"expires": 3600},
    },
    # The retention policies of the register of personal data, applied every night (issue 14).
    "kpa-purge": {
        "task": "kpa.purge",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 3600},
    },
    # The evaluation results' disclosure decisions, made at night so no page waits for one (issue 13).
    "evaluations-warm-results": {
        "task": "evaluations.warm_results",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 3600},
    },
}
# Invitees get a reminder this many days before a meeting, at the meeting's Amsterdam wall-clock time.
KPA_REMINDER_DAYS = tuple(sorted({int(d) for d in env.list("KPA_REMINDER_DAYS", default=["7", "1"])})[::-1])
if not KPA_REMINDER_DAYS or KPA_REMINDER_DAYS[-1] < 1:
    raise environ.ImproperlyConfigured("KPA_REMINDER_DAYS must be whole days of at least 1, e.g. 7,1.")
# The outbox sends this many mails per batch (one claim, one mail server connection, one mark); a worker
# that dies mid-batch may repeat up to this many mails (with their own Message-IDs). Sent rows are kept
# this many days.
KPA_OUTBOX_BATCH = env.int("KPA_OUTBOX_BATCH", default=100)
KPA_OUTBOX_KEEP_DAYS = env.int("KPA_OUTBOX_KEEP_DAYS", default=400)

# The DUO import in the background (schools.import_jobs): rows per transaction, and how long a worker's
# claim on an import lasts without progress before the sweep gives it to another worker. The pause between
# batches is for tests and demos only (0 in production).
KPA_DUO_IMPORT_BATCH = env.int("KPA_DUO_IMPORT_BATCH", default=250)
KPA_DUO_IMPORT_LEASE_SECONDS = env.int("KPA_DUO_IMPORT_LEASE_SECONDS", default=120)
KPA_DUO_IMPORT_PAUSE_SECONDS = env.float("KPA_DUO_IMPORT_PAUSE_SECONDS", default=0.0)
# Runs that may stop on an error (each retried by the sweep once its lease ran out) before the import is
# marked failed, with the error, for the admin.
KPA_DUO_IMPORT_ATTEMPTS = env.int("KPA_DUO_IMPORT_ATTEMPTS", default=3)
if min(KPA_DUO_IMPORT_BATCH, KPA_DUO_IMPORT_LEASE_SECONDS, KPA_DUO_IMPORT_ATTEMPTS) < 1:
    raise environ.ImproperlyConfigured(
        "KPA_DUO_IMPORT_BATCH, KPA_DUO_IMPORT_LEASE_SECONDS and KPA_DUO_IMPORT_ATTEMPTS must be at least 1."
    )
if KPA_DUO_IMPORT_PAUSE_SECONDS < 0:
    raise environ.ImproperlyConfigured("KPA_DUO_IMPORT_PAUSE_SECONDS must not be negative.")

# --- Retention (issue 14): days each kind of personal data is kept; the README explains each default, the
# page /privacy/bewaartermijnen/ shows them. kpa.personal_data_kpa and <app>/personal_data.py define them.
KPA_KEEP_INACTIVE_ACCOUNT_DAYS = env.int("KPA_KEEP_INACTIVE_ACCOUNT_DAYS", default=365)
KPA_KEEP_DORMANT_ACCOUNT_DAYS = env.int("KPA_KEEP_DORMANT_ACCOUNT_DAYS", default=730)
KPA_KEEP_MEETING_CONTENT_DAYS = env.int("KPA_KEEP_MEETING_CONTENT_DAYS", default=730)
KPA_KEEP_EVALUATION_TEXT_DAYS = env.int("KPA_KEEP_EVALUATION_TEXT_DAYS", default=730)
KPA_KEEP_EVALUATION_SCORES_DAYS = env.int("KPA_KEEP_EVALUATION_SCORES_DAYS", default=1825)
KPA_KEEP_SEATS_DAYS = env.int("KPA_KEEP_SEATS_DAYS", default=1825)
KPA_KEEP_PROGRESS_UPDATES_DAYS = env.int("KPA_KEEP_PROGRESS_UPDATES_DAYS", default=1825)
KPA_KEEP_INVITATIONS_DAYS = env.int("KPA_KEEP_INVITATIONS_DAYS", default=90)
KPA_KEEP_SESSIONS_DAYS = env.int("KPA_KEEP_SESSIONS_DAYS", default=30)
KPA_KEEP_ACCESS_LOG_DAYS = env.int("KPA_KEEP_ACCESS_LOG_DAYS", default=730)
KPA_KEEP_AUDIT_LOG_DAYS = env.int("KPA_KEEP_AUDIT_LOG_DAYS", default=730)
KPA_KEEP_DUO_IMPORTS_DAYS = env.int("KPA_KEEP_DUO_IMPORTS_DAYS", default=365)
for _name in [n for n in dir() if n.startswith("KPA_KEEP_")] + ["KPA_OUTBOX_KEEP_DAYS"]:
    if not 1 <= globals()[_name] <= 36_500:
        raise environ.ImproperlyConfigured(f"{_name} must be a whole number of days from 1 to 36500.")

# --- Logging ----------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

AUDITLOG_INCLUDE_ALL_MODELS = False

# --- The coordinator's dashboard (front/dashboard.py) ------------------------------------------------
# KPOs a school should hold per school year (the seeds say once a year is too few).
KPA_KPO_TARGET_PER_YEAR = env.int("KPA_KPO_TARGET_PER_YEAR", default=2)
# A wijk's casework figures are shown only when at least this many of its schools reported casework
# that school year, so that no figure is one school's.
KPA_WIJKDATA_MIN_SCHOOLS = env.int("KPA_WIJKDATA_MIN_SCHOOLS", default=3)
# How long the dashboard's figures are kept in the cache (seconds) before they are counted again; the page
# says when they were counted and offers to count them now. 0: never kept (the tests' default).
KPA_DASHBOARD_CACHE_SECONDS = env.int("KPA_DASHBOARD_CACHE_SECONDS", default=0 if TESTING else 120)
# The national view's figures (seconds to count at 10,000 schools) are shown until they are this old while a
# worker counts them again, instead of being counted during the visit that finds them older than the above.
KPA_DASHBOARD_STALE_SECONDS = env.int("KPA_DASHBOARD_STALE_SECONDS", default=900)

# A web worker freezes its long-lived objects after this many requests (kpa.gc_freeze); 0: never.
KPA_GC_FREEZE_AFTER = env.int("KPA_GC_FREEZE_AFTER", default=gc_freeze.AFTER)

# --- Process evaluations (evaluations/) ----------------------------------------------------------------
# The day ("MM-DD") each school year on which a gemeente's evaluation round opens by itself, unless its
# coordinator set another (evaluations.models.EvaluationMoment), and how many weeks it stays open.
KPA_EVALUATION_MOMENT = env.str("KPA_EVALUATION_MOMENT", default="10-01")
KPA_EVALUATION_WEEKS = env.int("KPA_EVALUATION_WEEKS", default=4)
try:
    _month, _day = (int(part) for part in KPA_EVALUATION_MOMENT.split("-"))
    dt_date(2000, _month, _day if _day <= 28 else 32)  # a day that every year has
except ValueError as error:
    raise environ.ImproperlyConfigured(
        "KPA_EVALUATION_MOMENT must be a month and a day of at most 28, e.g. 10-01."
    ) from error
if not 1 <= KPA_EVALUATION_WEEKS <= 12:
    raise environ.ImproperlyConfigured("KPA_EVALUATION_WEEKS must be 1 to 12.")
# No evaluation figure of fewer respondents than this is shown (a setting, never below 3: on one school each
# role is one person).
KPA_EVALUATION_MIN_GROUP = env.int("KPA_EVALUATION_MIN_GROUP", default=3)
if KPA_EVALUATION_MIN_GROUP < 3:
    raise environ.ImproperlyConfigured("KPA_EVALUATION_MIN_GROUP must be at least 3.")
