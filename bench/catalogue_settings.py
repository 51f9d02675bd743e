"""Settings of the app as `bench/catalogue.py` serves it with gunicorn: production settings
(DEBUG off), plus the minimal reference view (bench/catalogue_urls.py) and a page cache
shared by the workers. Not for deployment."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ["DEBUG"] = "false"
# Production settings refuse to start without a mail server; the benchmark sends no mail.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Plain HTTP on loopback, as the app sees it behind the TLS proxy (no redirect to https, cookies
# without the Secure flag so the benchmark's own client can sign in).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

from config.settings import *  # noqa: E402,F403
from config.settings import session_engine_for  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.catalogue_urls"
# No collectstatic in the benchmark: plain storage, static files are not requested.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Shared by the gunicorn workers, as production needs (see programs/caching.py): Redis as in
# production when BENCH_REDIS_URL is set (bench/catalogue.py sets it when a Redis answers on
# 127.0.0.1:6379; a key prefix of its own per run), otherwise a file cache.
if os.environ.get("BENCH_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["BENCH_REDIS_URL"],
            "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "vl-bench"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("BENCH_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "vl-bench-cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
SESSION_ENGINE = session_engine_for(CACHES)  # sessions read from Redis, as in production
CATALOGUE_PAGE_CACHE = os.environ.get("CATALOGUE_PAGE_CACHE", "true") == "true"
CONN_MAX_AGE = 600
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "ERROR"},
}
