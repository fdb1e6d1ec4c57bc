"""Settings for paperlabs, read from the environment with safe local defaults.

- ``DATABASE_URL``: default SQLite in the project folder (``sqlite:///db.sqlite3``).
- ``REDIS_URL``: when set, the Redis channel layer and cache (classroom scale, several
  Daphne processes); otherwise Channels' in-memory layer and a per-process cache.
- ``SECRET_KEY``: when unset, a random key is made once and kept in ``.secret_key``
  (created with mode 0600).
- ``DEBUG``: ``1``/``true`` to enable; off by default.
- ``ALLOWED_HOSTS``: comma-separated; default ``127.0.0.1,localhost``.
- ``PAPERLABS_CONTENT_DIRS``: extra exercise folders, separated by ``:``.
- ``PAPERLABS_HTTPS``: ``1`` when served over HTTPS only: HSTS, redirect to HTTPS,
  secure session and CSRF cookies.
- ``PAPERLABS_BEHIND_PROXY``: ``1`` behind a proxy that terminates TLS and sets
  ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def secret_key(path: Path) -> str:
    """``SECRET_KEY`` from the environment, else the key kept in ``path`` (made once).

    The file is created with mode 0600 by ``open(2)`` itself (``O_CREAT | O_EXCL``), so
    it is never readable by others, not even between creating and writing it; when two
    processes start at once only one creates it and the other reads that key.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o600)
    except FileExistsError:
        # Another process may be writing it right now: wait for its key.
        for _ in range(50):
            if key := path.read_text().strip():
                return key
            time.sleep(0.02)
        raise ImproperlyConfigured(f"{path} is empty: delete it or set SECRET_KEY") from None
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


SECRET_KEY = secret_key(BASE_DIR / ".secret_key")
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "labs",
    "labs.teaching",
    "labs.classroom",
    "lti_tool",
    "labs.lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "labs.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Inside an LMS's iframe, without cookies: the page's signed token (labs/lti).
    "labs.lti.frame_session.FrameSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "labs.urls"
ASGI_APPLICATION = "labs.asgi.application"

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
                "labs.lti.frame_session.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The live-server browser tests need a file-backed test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}

if redis_url := os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    # Shared by every process: an LTI login and its launch, or a framed page's flash
    # messages, may land on different processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "paperlabs",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# A page in an LMS's iframe gets no cookie: its flash messages wait in the cache.
MESSAGE_STORAGE = "labs.lti.messages.FrameAwareStorage"
# PAPERLABS_CHANNEL_LAYER=pubsub: Redis publish/subscribe, one message per process for a
# group send however large the group (a lecture's frames to hundreds of students).
if redis_url and os.environ.get("PAPERLABS_CHANNEL_LAYER") == "pubsub":
    CHANNEL_LAYERS["default"]["BACKEND"] = "channels_redis.pubsub.RedisPubSubChannelLayer"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "labs.staticfinders.PlotlyFinder",
]
WHITENOISE_AUTOREFRESH = DEBUG
# Hashed, compressed copies made by `collectstatic` (run by `make run` and `make test`).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "labs.storage.StaticStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

PAPERLABS_CONTENT_DIRS = [
    BASE_DIR / "labs" / "content",
    *(Path(p) for p in os.environ.get("PAPERLABS_CONTENT_DIRS", "").split(":") if p),
]

# Limits of the live protocol (documented in docs/protocol.md).
PAPERLABS_MAX_MESSAGE_BYTES = 65_536
PAPERLABS_RATE_PER_SECOND = 20
PAPERLABS_RATE_BURST = 40
PAPERLABS_MAX_IMPORT_BYTES = 2_000_000
# A live classroom session (labs/classroom/): its join code expires after this many hours.
PAPERLABS_CLASSROOM_HOURS = float(os.environ.get("PAPERLABS_CLASSROOM_HOURS", "6"))
# Each process says which students it holds this often (seconds); a student counts as
# connected for three heartbeats after the last one (a killed process's drop out).
PAPERLABS_CLASSROOM_HEARTBEAT = float(os.environ.get("PAPERLABS_CLASSROOM_HEARTBEAT", "5"))
# Students following a lecture, per process: they hold no lab of their own (exploring
# takes one of PAPERLABS_MAX_SOCKETS), so a process holds many more of them.
PAPERLABS_MAX_CLASSROOM_SOCKETS = int(os.environ.get("PAPERLABS_MAX_CLASSROOM_SOCKETS", "1000"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
# Heavy work (re-running recordings, sweeps, comparisons): how many jobs one process runs
# at once, and the CPU seconds one import or one seek may take before it is refused.
PAPERLABS_HEAVY_SLOTS = int(os.environ.get("PAPERLABS_HEAVY_SLOTS", "4"))
PAPERLABS_IMPORT_CPU_SECONDS = float(os.environ.get("PAPERLABS_IMPORT_CPU_SECONDS", "20"))
PAPERLABS_SEEK_CPU_SECONDS = float(os.environ.get("PAPERLABS_SEEK_CPU_SECONDS", "10"))

# Sockets: how many one process holds, and how many one client (address or signed-in
# user) may hold; a client that leaves this many bytes unread in the send buffer is
# closed. Frames over PAPERLABS_MAX_FRAME_BYTES are sent in parts (Daphne's limit on one
# websocket message is 1 MiB).
PAPERLABS_MAX_SOCKETS = int(os.environ.get("PAPERLABS_MAX_SOCKETS", "200"))
PAPERLABS_MAX_SOCKETS_PER_CLIENT = int(os.environ.get("PAPERLABS_MAX_SOCKETS_PER_CLIENT", "12"))
PAPERLABS_SEND_BUFFER_BYTES = int(os.environ.get("PAPERLABS_SEND_BUFFER_BYTES", "8000000"))
PAPERLABS_MAX_FRAME_BYTES = int(os.environ.get("PAPERLABS_MAX_FRAME_BYTES", "512000"))
# Storage: the largest recording (its JSON, checked as it grows, at save and at import),
# and how many replays one client may store in an hour (saves, imports, new feedback).
PAPERLABS_MAX_RECORDING_BYTES = int(os.environ.get("PAPERLABS_MAX_RECORDING_BYTES", "400000"))
PAPERLABS_SAVES_PER_HOUR = int(os.environ.get("PAPERLABS_SAVES_PER_HOUR", "30"))

# -- security headers ----------------------------------------------------------------------

# No inline script anywhere: pages load ES modules from our own static files and pass
# data in data-* attributes. Plotly injects <style> elements, hence 'unsafe-inline' for
# styles only; "websocket-self" is the page's own ws:// or wss:// origin (the live labs).
PAPERLABS_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", "websocket-self"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Added on the pages that load Plotly only ({% plotly_script %}): its WebGL traces
# compile their drawing code with the Function constructor.
PAPERLABS_CSP_PLOTLY = {"script-src": ["'unsafe-eval'"]}

# PAPERLABS_HTTPS=1: the site is served over HTTPS only (README, "Configuration").
if _flag("PAPERLABS_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# PAPERLABS_LMS_ORIGINS="https://canvas.example.edu ...": the LMSs allowed to show
# paperlabs in their iframe. Over HTTPS the session and CSRF cookies are then sent in a
# third-party context too (SameSite=None needs Secure, so only with PAPERLABS_HTTPS).
PAPERLABS_LMS_ORIGINS = [
    o for o in os.environ.get("PAPERLABS_LMS_ORIGINS", "").replace(",", " ").split() if o
]
if PAPERLABS_LMS_ORIGINS:
    PAPERLABS_CSP["frame-ancestors"] = ["'self'", *PAPERLABS_LMS_ORIGINS]
    # The policy's frame-ancestors now decides who may frame a page.
    MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("XFrameOptionsMiddleware")]
    if _flag("PAPERLABS_HTTPS"):
        SESSION_COOKIE_SAMESITE = "None"
        CSRF_COOKIE_SAMESITE = "None"
# PAPERLABS_BEHIND_PROXY=1: a proxy (nginx) terminates TLS and sets X-Forwarded-Proto,
# overwriting whatever the client sent; only then may Django trust that header.
if _flag("PAPERLABS_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
