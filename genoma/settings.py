"""Settings for the Genoma Health site, read from the environment.

Every variable is documented in README.md. Safe by default: DEBUG is off, a
secret key is required without it, and HTTPS is enforced in production.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set the DJANGO_SECRET_KEY environment variable (or DJANGO_DEBUG=1 for "
            "local development): the site will not start without DEBUG and a secret key."
        )
    # Development only: a random key kept in a git-ignored file, so that logins
    # survive the development server's restarts and no key is ever committed.
    dev_key_file = BASE_DIR / ".dev-secret-key"
    if not dev_key_file.exists():
        dev_key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = dev_key_file.read_text().strip()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # its index expressions (trigram indexes); inert on SQLite
    "django.contrib.sites",
    "django.contrib.redirects",
    "django_ckeditor_5",
    "csp",
    "axes",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "genoma",
    "twofactor",
    "team",
    "articles",
    "consultations",
]

MIDDLEWARE = [
    # First: every log line of the request, and its response, carry the request's id.
    "genoma.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "genoma.cache.PublicPageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "genoma.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "genoma.middleware.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff who can read patient data give a code from an authenticator app at sign-in.
    "django_otp.middleware.OTPMiddleware",
    "twofactor.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Answers a 404 with the 301 staff or a moved page left (django.contrib.redirects).
    # Inside CommonMiddleware, so an old address is one hop, before APPEND_SLASH adds its
    # own; a 301 never enters the page cache (200s only); /healthz never answers 404.
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "genoma.urls"
# The one Site of the sites framework: the redirects (old addresses) belong to it.
SITE_ID = 1
# A less guessable admin address keeps bots off the login page (default /admin/).
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
WSGI_APPLICATION = "genoma.wsgi.application"

TEMPLATES = [
    # One template language for the public pages, admin and emails. Django's cached loader
    # is on whatever DEBUG says (Django 4.1+): each template is compiled once per process.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.media",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "genoma.context_processors.clinic",
                "genoma.context_processors.languages",
            ],
        },
    },
]

# Database: SQLite by default; PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work beside the writer; IMMEDIATE takes the write lock at
    # BEGIN, so concurrent writers wait (up to the timeout) instead of failing
    # with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # seconds a writer waits for the lock (SQLite's busy timeout)
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default random_page_cost (4) prices a disk seek; on SSDs (1.1 is the
    # usual value) the planner reads search's list index instead of every document: a
    # word in each of 2,003 articles, 45 ms to 21 ms (docs/performance.md).
    RANDOM_PAGE_COST = os.environ.get("DJANGO_PG_RANDOM_PAGE_COST", "1.1")
    try:
        positive = float(RANDOM_PAGE_COST) > 0
    except ValueError:
        positive = False
    if not positive:
        raise ImproperlyConfigured(
            f"DJANGO_PG_RANDOM_PAGE_COST is a positive number, not {RANDOM_PAGE_COST!r}."
        )
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={RANDOM_PAGE_COST}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (public pages, rate-limit counters): Redis when REDIS_URL is set, else a table in
# the database (created by `migrate`). Either way every worker process and every app
# server sees the same entries: a per-process cache would serve retired pages and
# multiply the rate limit by the number of workers.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "genoma",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "genoma_cache",
            # Beyond this, a third of the entries are dropped (expired ones first).
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# The job queue (email, reminders, periodic work), worked by `python manage.py run_huey`:
# Redis when REDIS_URL is set (every app server's workers share it), else a SQLite file
# beside the database (one machine). Jobs are never run inside the web request that
# queues them; the test suite runs them at once (tests/conftest.py).
_database = DATABASES["default"]
_jobs_file = (
    Path(_database["NAME"]).with_name(f"{Path(_database['NAME']).stem}-jobs.sqlite3")
    if _database["ENGINE"] == "django.db.backends.sqlite3"
    else BASE_DIR / "jobs.sqlite3"
)
HUEY = {
    "name": "genoma",
    "immediate": False,  # djhuey's default follows DEBUG; `make run` works its queue too
    "results": False,  # nothing reads a job's return value
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY.update(huey_class="huey.RedisHuey", connection={"url": REDIS_URL})
else:
    HUEY.update(huey_class="genoma.jobs.SqliteHuey", filename=str(_jobs_file))

# Public pages for anonymous visitors are served from the cache above until the content
# changes (genoma/cache.py). 0 turns the page cache off (a benchmark of the uncached path).
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600"))
BROWSER_CACHE_SECONDS = 60  # browsers revalidate (ETag → 304) after a minute

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: times stored in UTC, shown in the clinic's time zone. A public
# page's language is its address: English at /…, Thai at /th/… (genoma/urls.py), never
# a guess from the browser; admin follows the staff member's browser
# (genoma.middleware.AdminLanguageMiddleware); patient emails are in the patient's.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("th", _("Thai"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True

# Paths whose answers are personal or change with every request: never in the page cache
# (the form and the editor's upload, at every language's address).
NEVER_CACHED_PREFIXES = (
    f"/{ADMIN_URL}",
    "/healthz",
    "/media/",
    *(
        f"{'' if code == LANGUAGE_CODE else '/' + code}/{path}"
        for code, _name in LANGUAGES
        for path in ("consultation/", "editor/")
    ),
)

# Static files (whitenoise, compressed and hashed) and uploaded media.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)
# Every stored file has a name never used before (a random name; S3 never overwrites), so
# browsers and proxies may keep media for a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_media(bucket, endpoint="", custom_domain="", access_key="", secret_key="", region=""):
    """The media storage on an S3 bucket, and the URL its files are read at.

    URLs are stable (no signatures, which change on every render and defeat the page
    cache): a public-read bucket policy or a CDN's domain serves them. Names are never
    reused (S3 overwrites by default).
    """
    endpoint, custom_domain = endpoint.rstrip("/"), custom_domain.strip("/")
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "region_name": region or None,
            "custom_domain": custom_domain or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": False,
            "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        },
    }
    if custom_domain:
        return storage, f"https://{custom_domain}/"
    if endpoint:
        return storage, f"{endpoint}/{bucket}/"
    return storage, f"https://{bucket}.s3.amazonaws.com/"


# Uploaded media on S3-compatible storage, shared by every app server.
if os.environ.get("DJANGO_AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"], MEDIA_URL = s3_media(
        os.environ["DJANGO_AWS_STORAGE_BUCKET_NAME"],
        endpoint=os.environ.get("DJANGO_AWS_S3_ENDPOINT_URL", ""),
        custom_domain=os.environ.get("DJANGO_AWS_S3_CUSTOM_DOMAIN", ""),
        access_key=os.environ.get("DJANGO_AWS_ACCESS_KEY_ID", ""),
        secret_key=os.environ.get("DJANGO_AWS_SECRET_ACCESS_KEY", ""),
        region=os.environ.get("DJANGO_AWS_S3_REGION_NAME", ""),
    )
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# The clinic's public contact details, shown in the footer when set.
CLINIC_EMAIL = os.environ.get("CLINIC_EMAIL", "")
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "")

# Consultation requests.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000")  # for links in emails
CONSULTATION_NOTIFY_EMAILS = env_list("CONSULTATION_NOTIFY_EMAILS", "clinic@localhost")
CONSULTATION_RATE_LIMIT = os.environ.get("CONSULTATION_RATE_LIMIT", "5/h")
CONSULTATION_MIN_SECONDS = int(os.environ.get("CONSULTATION_MIN_SECONDS", "3"))
# How many reverse proxies append to X-Forwarded-For in front of the app (0: none,
# REMOTE_ADDR is the client). Used to count submissions per client address.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

# The privacy notice's version, stored with each consent; change it when the notice changes.
PRIVACY_NOTICE_VERSION = "2026-12-07"

# Email: console in development; SMTP settings from the environment otherwise.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))  # seconds per socket wait
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Genoma Health <no-reply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production (DEBUG off) is HTTPS-only unless DJANGO_SECURE_SSL_REDIRECT=0,
# which serves plain HTTP for a local production-like run or a benchmark.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day: staff sign in again the next morning
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS_ONLY = not DEBUG and env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_SSL_REDIRECT = HTTPS_ONLY
# A load balancer's health check speaks plain HTTP to the app server: 200 or 503, never 301.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
if HTTPS_ONLY:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Content-Security-Policy (django-csp): nothing inline on public pages. The admin
# relaxes only what CKEditor 5 needs (genoma.middleware.SecurityHeadersMiddleware).
_media_origin = "{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL)) if "//" in MEDIA_URL else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, *([_media_origin] if _media_origin else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"upgrade-insecure-requests": True} if HTTPS_ONLY else {}),
    },
}
# Browser features the site never uses, switched off for every page and frame.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
    "usb=(), xr-spatial-tracking=()"
)

# django-axes: 5 failed admin logins for a user from one address lock them out for 15 minutes.
# Two-factor sign-in (twofactor/): after each wrong code the next one waits twice as
# long (1, 2, 4, 8… seconds); the issuer names the account in the authenticator app.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = "Genoma Health"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_CLIENT_IP_CALLABLE = "consultations.ratelimit.client_address_for_axes"
AXES_VERBOSE = False

# The reverse proxy (nginx, a load balancer) terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Errors to Sentry when SENTRY_DSN is set, never with patient data (genoma/sentry.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from genoma.sentry import start_sentry

    start_sentry(SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", "production"))

# Logs on standard output, each line with the id of the request it belongs to
# (genoma/request_log.py); DJANGO_LOG_FORMAT=json writes them as JSON lines.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT is 'plain' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "genoma.request_log.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "{asctime} {levelname} {name} [{request_id}]: {message}",
            "style": "{",
        },
        "json": {"()": "genoma.request_log.JSONLinesFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

# Rich text editor (django-ckeditor-5): no source editing, no HTML embed. Images go
# through the site's own upload view (verified, re-encoded, renamed at random).
CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "articles:editor_image_upload"
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"
CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "link",
                "|",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "|",
                "imageUpload",
                "insertTable",
                "|",
                "undo",
                "redo",
            ]
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {
                    "model": "heading2",
                    "view": "h2",
                    "title": "Heading 2",
                    "class": "ck-heading_heading2",
                },
                {
                    "model": "heading3",
                    "view": "h3",
                    "title": "Heading 3",
                    "class": "ck-heading_heading3",
                },
            ]
        },
        "image": {"toolbar": ["imageTextAlternative"]},
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
    }
}
