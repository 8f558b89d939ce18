"""Settings for the claim tracker, read from the environment.

With no configuration at all the site runs on SQLite and a filesystem Celery
broker under ``var/``. Set ``DATABASE_URL`` (PostgreSQL) and
``CELERY_BROKER_URL`` (Redis) for production. ``DEBUG`` is off unless asked for.
"""

import os
import re
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool = False) -> bool:
    """A boolean from the environment; anything but a clear yes/no is an error."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$|^\[[0-9a-f:.]+\](:[0-9]{1,5})?$")


def envorigins(name: str, default: str = "") -> list[str]:
    """Web origins (``https://news.example.org``, ``https://*.example.org``, ``http://127.0.0.1:8080``),
    ``*`` (any site) or ``none`` (no site), for a CSP source list; anything else is an error.

    A path, a query, a bare host name or a stray word would make browsers drop the entry
    without a word (and frame nothing, or everything), so they stop start-up instead.
    """
    raw = os.environ.get(name, "").strip() or default
    items = [item.strip().lower().rstrip("/") for item in raw.split(",") if item.strip()]
    if items in (["*"], ["none"]):
        return items
    for item in items:
        if item in ("*", "none"):
            raise ImproperlyConfigured(f"{name}: {item!r} cannot be combined with origins")
        host = item.split("://", 1)[-1]
        if not item.startswith(("http://", "https://")) or not _ORIGIN.match(item) and not _ORIGIN.match(host):
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a web origin (scheme://host[:port], e.g. https://news.example.org)"
            )
    return items


DEBUG = envbool("DEBUG", False)


KEYLESS_COMMANDS = {"makemigrations", "migrate", "showmigrations", "sqlmigrate", "collectstatic", "check", "help"}


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        # Build and maintenance commands that never sign anything may run without a key
        # (collectstatic in an image build, makemigrations --check in a hook); Django
        # still refuses any use of the empty key. Everything else stops here.
        if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
            return ""
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # A local development key, made once and kept out of the repository.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Claim tracker")
# The organisation publishing verdicts, named as author in ClaimReview markup.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Newsroom claim desk")
# A private site asks for a login everywhere; feeds then need a per-user token.
SITE_PRIVATE = envbool("SITE_PRIVATE", False)
# `make bench` only: mounts /_bench/ceiling/, the trivial view every page is measured against.
BENCH_ENDPOINTS = envbool("BENCH_ENDPOINTS", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # intcomma: counts grouped per language ("1,000" / "1 000").
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "simple_history",
    "axes",
    "django_ratelimit",
    # Only for the API docs page's static files (Swagger UI served locally, no CDN).
    "ninja",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that can answer early (a bad Host in CommonMiddleware, a CSRF refusal,
    # an over-size POST, a 429, a 500), so every error page carries the same headers as a page.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # HEAD answered as GET without a body, wherever GET is allowed (claims/middleware.py).
    "claims.middleware.HeadAsGetMiddleware",
    # Every query string read once: too many parameters is a 400, control characters dropped.
    "claims.middleware.QueryStringMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface's language: the reader's choice (the language switcher's cookie), else the
    # browser's Accept-Language, else LANGUAGE_CODE. URLs stay the same in every language
    # (no i18n_patterns); pages vary by it (docs/languages.md, "The interface's language").
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's page is Cache-Control: private (claims/middleware.py).
    "claims.middleware.PrivateForSignedInMiddleware",
    # Turns a rate-limited request into a 429 page (claims/ratelimits.py).
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "claims.middleware.PrivateSiteMiddleware",
    # A dispute's pre-publication address redirects to its published one (claims/middleware.py).
    "claims.middleware.DisputeSlugRedirectMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
                "django.template.context_processors.csp",
                "claims.context_processors.site",
            ],
            # {% lang_dir %} marks up user-entered text in every template, the admin's included.
            "builtins": ["claims.templatetags.claims_text"],
        },
    },
]

# Django's form renderer, adding a maxlength to every typed field (claims/form_rendering.py).
FORM_RENDERER = "claims.form_rendering.Renderer"

# --- Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # DATABASE_POOL_SIZE > 0: connections come from a pool of that size (psycopg_pool)
    # shared by the process's threads, instead of one persistent connection per thread.
    # For the checker's worker: its threads hold a connection only while they read or
    # write, never while they wait on a site (claims/checking/runner.py).
    DATABASE_POOL_SIZE = envint("DATABASE_POOL_SIZE", 0)
    _max_age = 0 if DATABASE_POOL_SIZE else envint("CONN_MAX_AGE", 60)
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=_max_age)}
    if DATABASE_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": 30,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # WAL lets the web process and the worker read while the other writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out username+IP never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend reading the user and their permissions in one query (claims/auth_backend.py).
    # The only password backend: a second one would hash every failed log-in attempt twice.
    "claims.auth_backend.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:home"
LOGOUT_REDIRECT_URL = "claims:home"

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)
# A page that says what happened and when to try again (templates/registration/locked_out.html).
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Lockouts count per client, and behind a proxy the client is not the socket's address.
AXES_CLIENT_IP_CALLABLE = "claims.ratelimits.client_ip"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
# The interface's languages (docs/languages.md). The names are each language's own, as the
# language switcher shows them. Feeds, embeds and e-mail stay in LANGUAGE_CODE.
LANGUAGES = [("en-gb", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as the pages show them, per language ("15 March 2023" / "15 марта 2023"): the
# standard format names (DATE_FORMAT, SHORT_DATE_FORMAT, …) used by the templates.
FORMAT_MODULE_PATH = ["tracker.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
if envbool("STATIC_NO_MANIFEST", False):
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# --- Security -----------------------------------------------------------------
# Django's built-in CSP with nonces: no inline scripts, no eval, no inline styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language switcher's cookie (django.views.i18n.set_language): a year, like Django's default.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Which sites may frame the embeddable dispute cards (/embed/…, claims/views/sharing.py), sent as
# CSP frame-ancestors on those responses only; every other page refuses to be framed (above).
# "*" (the default): any site; "none": no site; else comma-separated origins (docs/sharing.md).
EMBED_ALLOWED_ORIGINS = envorigins("EMBED_ALLOWED_ORIGINS", "*")
# How long browsers and shared caches may keep an embed, oEmbed answer or share image before asking again.
EMBED_MAX_AGE = envint("EMBED_MAX_AGE", 300)
if EMBED_MAX_AGE < 0:
    raise ImproperlyConfigured("EMBED_MAX_AGE must be 0 or more")
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the site append to X-Forwarded-For: the client address is the
# one the outermost of them added (claims/ratelimits.py). 0 = use the socket's address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# Share images (claims/share_images.py): a regular and a bold font covering Latin, Cyrillic, Arabic and
# Hebrew, from Debian's fonts-dejavu-core (scripts/ensure-system-packages installs it); never downloaded.
SHARE_IMAGE_FONTS = envlist(
    "SHARE_IMAGE_FONTS",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf,/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)

# --- Caches and rate limits -------------------------------------------------------
# A shared cache (Redis) in production, so rate limits count across web processes; without
# CACHE_URL each process counts on its own, which is fine for one developer.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    # One Redis client per pool, not one per cache call (tracker/redis_cache.py).
    CACHES = {"default": {"BACKEND": "tracker.redis_cache.ReusedClientRedisCache", "LOCATION": CACHE_URL}}
    # The session from the shared cache, written through to the database: a signed-in request
    # does not read the sessions table (docs/performance.md).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Room for a big dispute page's cards (one entry each) beside the rate-limit counters
    # (locmem keeps 300 by default and evicts a third when full).
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}}
    }
    # Sessions stay in the database: a per-process cache would keep a session alive in the
    # other processes after log-out there (Django's flush clears only its own process's copy).
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Heavy pages (a check diff, a check's full text) per user or client address.
RATELIMIT_HEAVY = os.environ.get("RATELIMIT_HEAVY", "30/m")
# Long selections handed to the Clip landing (claims/views/clip.py) per client address.
RATELIMIT_CLIP_LANDING = os.environ.get("RATELIMIT_CLIP_LANDING", "20/m")
# Paste-a-URL previews (claims/checking/preview.py) per user: each is a fetch of someone else's site.
RATELIMIT_PREVIEW = os.environ.get("RATELIMIT_PREVIEW", "20/m")
# How long a preview may take before the form says the checker will fill it in after saving.
SOURCE_PREVIEW_SECONDS = envint("SOURCE_PREVIEW_SECONDS", 2)
RATELIMIT_VIEW = "claims.ratelimits.rate_limited"
RATELIMIT_IP_META_KEY = "claims.ratelimits.client_ip"
SILENCED_SYSTEM_CHECKS = [
    # Django's own Redis cache backend increments atomically; django-ratelimit only lists others.
    "django_ratelimit.W001",
    # Without CACHE_URL (development, tests) per-process counting is what we want.
    *(["django_ratelimit.E003"] if not CACHE_URL else []),
]

# --- Celery -------------------------------------------------------------------
# The host part names no server (the queue is a folder); it is there because kombu warns
# "No hostname was supplied" on every connection without one.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost/"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        # Otherwise kombu makes a control/ folder in whatever directory the process started in.
        "control_folder": str(_queue_dir / "control"),
    }
else:
    # kombu's Redis transport, except that a worker whose broker dies while it holds messages
    # keeps running (tracker/broker.py).
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        CELERY_BROKER_TRANSPORT = "tracker.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Above the hard time limit, so a running task is never handed to a second worker.
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
        # A frozen broker (accepts connections, never answers) must not hang anyone:
        # every socket operation is bounded, not only the TCP connect.
        "socket_timeout": envint("CELERY_BROKER_SOCKET_TIMEOUT", 5),
        "socket_connect_timeout": envint("CELERY_BROKER_CONNECTION_TIMEOUT", 2),
        "socket_keepalive": True,
        "health_check_interval": 25,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 90)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 120)
CELERY_BROKER_CONNECTION_TIMEOUT = envint("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
# Publishing must never hang a web request when the broker is down (see claims/checking/jobs.py).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
# Beat runs the sweeper itself (tracker.celery.BeatScheduler), so lease recovery and
# retries never wait behind a backlog of check wake-ups in the broker's queue. Due
# re-checks are found in the database (Source.next_check_at).
CELERY_BEAT_SCHEDULER = "tracker.celery:BeatScheduler"
CELERY_BEAT_SCHEDULE = {
    "sweep-check-jobs": {"task": "claims.tasks.sweep_check_jobs", "schedule": envint("CHECKER_SWEEP_SECONDS", 60)},
    "purge-old-rows": {"task": "claims.tasks.purge_old_rows", "schedule": 24 * 3600},
}
# How long rows that only matter for a while are kept (claims/purging.py, run daily): a create
# form's one-time key (the double-submit guard, services.submit_once), a sent or dropped
# notification email, a delivered or given-up webhook delivery with its attempts.
FORM_SUBMISSION_KEEP_DAYS = envint("FORM_SUBMISSION_KEEP_DAYS", 7)
NOTIFICATION_KEEP_DAYS = envint("NOTIFICATION_KEEP_DAYS", 90)
WEBHOOK_LOG_KEEP_DAYS = envint("WEBHOOK_LOG_KEEP_DAYS", 90)


# --- Email and notifications (claims/notifications.py, docs/notifications.md) -----------
def _mailer(url: str, timeout: int) -> dict:
    """Django's ``MAILERS["default"]`` from one URL (parsed by dj-email-url), refusing a scheme it does not know.

    smtp://user:pass@host:25, submission://user:pass@host:587 (STARTTLS), smtp://host:465?ssl=True,
    console:// (the mail printed on the worker's stdout), memory://, dummy://.
    """
    import dj_email_url

    scheme = url.split(":", 1)[0].lower()
    if scheme not in dj_email_url.SCHEMES or scheme == "file":
        known = ", ".join(sorted(set(dj_email_url.SCHEMES) - {"file"}))
        raise ImproperlyConfigured(f"EMAIL_URL={url.split('@')[-1]!r}: the scheme must be one of {known}")
    parsed = dj_email_url.parse(url)
    mailer = {"BACKEND": parsed["EMAIL_BACKEND"]}
    if mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        mailer["OPTIONS"] = {
            "host": parsed["EMAIL_HOST"] or "localhost",
            "port": parsed["EMAIL_PORT"] or 25,
            "username": parsed["EMAIL_HOST_USER"] or "",
            "password": parsed["EMAIL_HOST_PASSWORD"] or "",
            "use_tls": parsed["EMAIL_USE_TLS"],
            "use_ssl": parsed["EMAIL_USE_SSL"],
            # An SMTP server that does not answer must not hold a worker for long (the mail is retried).
            "timeout": parsed["EMAIL_TIMEOUT"] or timeout,
        }
    return mailer


# Printed to the console unless EMAIL_URL says otherwise (`make run` shows mail in its output).
MAILERS = {"default": _mailer(os.environ.get("EMAIL_URL", "") or "console://", envint("EMAIL_TIMEOUT", 10))}
DEFAULT_FROM_EMAIL = os.environ.get("EMAIL_FROM", "") or f"{SITE_NAME} <notifications@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The daily digest goes out at this hour (TIME_ZONE) to those who chose it.
NOTIFY_DIGEST_HOUR = envint("NOTIFY_DIGEST_HOUR", 7)
if not 0 <= NOTIFY_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(f"NOTIFY_DIGEST_HOUR={NOTIFY_DIGEST_HOUR} is not an hour (0-23)")
# A mail that could not be sent is tried again after this many seconds, doubling up to 6 hours.
NOTIFY_RETRY_BASE_SECONDS = envint("NOTIFY_RETRY_BASE_SECONDS", 60)
# How often beat sends what is due (digests, retries, wake-ups that did not go out).
NOTIFY_SWEEP_SECONDS = envint("NOTIFY_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE["send-due-notifications"] = {
    "task": "claims.tasks.send_due_notifications",
    "schedule": NOTIFY_SWEEP_SECONDS,
}
# Webhooks (claims/webhooks.py): host:port pairs an endpoint may be on although not public
# (an internal chat server; the tests' local server). Everything else obeys the checker's rules.
WEBHOOK_ALLOW_HOSTS = envlist("WEBHOOK_ALLOW_HOSTS")
# The longest one delivery may take (connect, send, answer); a slower endpoint is retried later.
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = envint("WEBHOOK_RETRY_BASE_SECONDS", 30)
# Endpoints delivered to at once by one worker task (one thread each), and how long a task goes on.
WEBHOOK_THREADS = envint("WEBHOOK_THREADS", 8)
WEBHOOK_BATCH_SECONDS = envint("WEBHOOK_BATCH_SECONDS", 45)
# What receivers should accept: a timestamp at most this many seconds from their clock (documented).
WEBHOOK_REPLAY_WINDOW_SECONDS = envint("WEBHOOK_REPLAY_WINDOW_SECONDS", 300)
CELERY_BEAT_SCHEDULE["deliver-due-webhooks"] = {
    "task": "claims.tasks.deliver_webhooks",
    "schedule": NOTIFY_SWEEP_SECONDS,
}

# --- Source checker -----------------------------------------------------------
# Check jobs per wake-up message, run at once by one task in threads, which then take
# further due jobs whose host is free (docs/performance.md, "The checker (targets 4–6)").
# 1: one job per message, one at a time per worker process. On by default since a worker
# holding long batches survives a broker restart (tracker/broker.py; the drills check it).
CHECKER_BATCH_SIZE = envint("CHECKER_BATCH_SIZE", 32)
# How long a batch's threads go on taking further due jobs from the queue; well under the
# soft time limit, so a job started at the end still finishes within it.
CHECKER_BATCH_SECONDS = envint("CHECKER_BATCH_SECONDS", 30)
# Threads per batch, each working one host at a time (claims/checking/lanes.py): enough for
# every host a worker's processes see at once to be busy. They mostly sleep (the site, the
# spacing); with DATABASE_POOL_SIZE they share a few connections.
CHECKER_BATCH_THREADS = envint("CHECKER_BATCH_THREADS", 64)
# The nice value (1–19) for the PostgreSQL backends of the checker's own connections, when
# the database runs on this machine and the worker may renice them (claims/checking/priority.py):
# the checker's database work then yields to the site's as the worker itself does. 0: off.
CHECKER_DATABASE_NICE = envint("CHECKER_DATABASE_NICE", 0)
if not 0 <= CHECKER_DATABASE_NICE <= 19:
    raise ImproperlyConfigured(f"CHECKER_DATABASE_NICE={CHECKER_DATABASE_NICE} is not between 0 and 19")
# host:port pairs that may bypass the public-address check (tests' local server).
CHECKER_ALLOW_HOSTS = envlist("CHECKER_ALLOW_HOSTS")
CHECKER_MAX_BYTES = envint("CHECKER_MAX_BYTES", 10 * 1024 * 1024)
CHECKER_DEADLINE_SECONDS = envint("CHECKER_DEADLINE_SECONDS", 30)
# The most main text a check keeps (about 30,000 words); the rest is dropped and the check
# marked truncated, so diffs and quote matching stay bounded (docs/security.md).
CHECKER_MAX_TEXT_CHARS = envint("CHECKER_MAX_TEXT_CHARS", 200_000)
CHECKER_USER_AGENT = os.environ.get("CHECKER_USER_AGENT", f"ClaimTrackerSourceChecker/1.0 (+{SITE_URL}/about/checker)")
CHECKER_CONNECT_TIMEOUT = envint("CHECKER_CONNECT_TIMEOUT", 5)
CHECKER_READ_TIMEOUT = envint("CHECKER_READ_TIMEOUT", 10)
CHECKER_MAX_REDIRECTS = 5
# Ports a source URL may name; others are refused before any lookup.
CHECKER_ALLOWED_PORTS = tuple(int(p) for p in envlist("CHECKER_ALLOWED_PORTS", "80,443"))
# Politeness: one request at a time per host, this many seconds apart (shared via Redis).
CHECKER_HOST_SPACING_SECONDS = envint("CHECKER_HOST_SPACING_SECONDS", 1)
CHECKER_REDIS_URL = os.environ.get("CHECKER_REDIS_URL", "")
# How long a worker may wait for a host's politeness slot before it hands the job back
# (without spending an attempt), and how long a slot outlives a worker that died holding it.
CHECKER_SLOT_WAIT_SECONDS = envint("CHECKER_SLOT_WAIT_SECONDS", 10)
CHECKER_SLOT_LEASE_SECONDS = envint("CHECKER_SLOT_LEASE_SECONDS", 6)
# Politeness without Redis: lock files shared by the processes of one machine.
CHECKER_SLOT_DIR = os.environ.get("CHECKER_SLOT_DIR", "") or str(VAR_DIR / "checker-slots")
CHECKER_ROBOTS_CACHE_SECONDS = envint("CHECKER_ROBOTS_CACHE_SECONDS", 6 * 3600)
# How close (0–100) the best match in a source's text must be for a quote to count as present.
CHECKER_QUOTE_THRESHOLD = envint("CHECKER_QUOTE_THRESHOLD", 90)
if not 0 <= CHECKER_QUOTE_THRESHOLD <= 100:
    raise ImproperlyConfigured(f"CHECKER_QUOTE_THRESHOLD={CHECKER_QUOTE_THRESHOLD} is not between 0 and 100")
# A running job whose lease ran out is the sweeper's (its worker died).
CHECKER_LEASE_SECONDS = envint("CHECKER_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 60)
# Wake-ups: total seconds a request (or a sweep) spends on the broker, and how long a
# process leaves the broker alone after it did not answer. Missed ones go to the sweeper.
CHECKER_WAKE_BUDGET_SECONDS = envint("CHECKER_WAKE_BUDGET_SECONDS", 1)
CHECKER_SWEEP_WAKE_BUDGET_SECONDS = envint("CHECKER_SWEEP_WAKE_BUDGET_SECONDS", 10)
CHECKER_WAKE_BACKOFF_SECONDS = envint("CHECKER_WAKE_BACKOFF_SECONDS", 30)
# The sweeper re-sends a queued job's wake-up at most once per this many seconds.
CHECKER_STALE_QUEUED_SECONDS = envint("CHECKER_STALE_QUEUED_SECONDS", 120)
# First retry after about this many seconds, doubling per attempt (with jitter).
CHECKER_RETRY_BASE_SECONDS = envint("CHECKER_RETRY_BASE_SECONDS", 30)
# Retries due sooner than this get a wake-up for their due time; later ones wait for the sweeper.
CHECKER_RETRY_WAKE_MAX_SECONDS = envint("CHECKER_RETRY_WAKE_MAX_SECONDS", 600)
# A queued check nobody picked up for this long is flagged "no worker has picked it up".
CHECKER_QUEUED_WARNING_SECONDS = envint("CHECKER_QUEUED_WARNING_SECONDS", 300)

# --- Importing a backlog (claims/importing.py) ---------------------------------
# The most rows and bytes one CSV import takes (the command and the page); bigger files are
# refused with the limit named, before any row is read.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# The page runs the import inside the request, so it takes smaller files than the command.
IMPORT_PAGE_MAX_ROWS = envint("IMPORT_PAGE_MAX_ROWS", 1_000)
IMPORT_PAGE_MAX_BYTES = envint("IMPORT_PAGE_MAX_BYTES", 1024 * 1024)

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
