"""gunicorn settings for a 2-core machine; every value can be overridden from the environment."""

import multiprocessing
import os

# Imported here, in the master, so that no worker's first NIK or QRIS check pays the fifth of a
# second lokal takes to compile its patterns (the application imports it only when it reads one).
import lokal  # noqa: F401

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"  # noqa: S104
# One sync worker per core. Measured on 2 cores with 1,000 microsites (bench/p3): 2 workers served
# ~50% more than 4 (each worker keeps its own page cache, so more workers warm more slowly and
# contend for the same cores), and gthread lost to the GIL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so no process grows without bound (budget P5: ≤ 150 MB RSS). Not
# often: a new worker starts with empty caches and renders every cooperative's page again, which
# at 20,000 requests (40 s apart at half saturation) put the p99 over 50 ms (bench/p3, P4).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = 20000
# The app is built once in the master and forked: a recycled worker starts in milliseconds, and
# the workers share its memory. The master never opens a database connection; each worker
# starts with empty pools (post_fork) and opens its own.
preload_app = True

accesslog = None  # the app logs each request as JSON with its request id
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(_server, _worker):  # type: ignore[no-untyped-def]
    from wsgi import app  # noqa: PLC0415 - the worker's own copy, after the fork

    app.extensions["guyub.databases"].dispose(close=False)
