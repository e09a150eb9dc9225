"""Whole public pages of a cooperative's microsite, kept for anonymous visitors, compressed.

A page is stored only if rendering it left the visitor's session untouched and empty, so
nothing personal (a CSRF token, a flash message, a signed-in menu) is ever shared; signed-in
users and visitors carrying a session always get a fresh render. A page's key names everything
it shows: the page and its arguments, the cooperative's change stamps (its registry row's
``updated_at`` and its summary row's ``refreshed_at``, which every officer's change to public
content moves, both read with the tenant on every request), the language, the host and the
cooperative's day. A changed cooperative is therefore never served an old page, without any
invalidation: old keys are simply never asked for again and age out.

The same key, hashed, is the page's ETag, and the later stamp its Last-Modified: a browser or
a proxy that holds the page asks again with either and is answered 304 before anything renders,
and may keep it for a minute (then use it while asking again for ten more) without asking.

Pages are kept per worker process by default; with ``REDIS_URL`` set they are kept in Redis,
shared by every worker on every machine, each for a day at most. A cache that fails is a miss,
never a failed page.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, Protocol, TypeVar, cast

from cachetools import LRUCache
from flask import current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.security import session_is_blank

log = logging.getLogger(__name__)

MAX_BYTES = 32 * 1024 * 1024  # compressed pages of about 5 KB: several thousand per worker
REDIS_TTL_SECONDS = 24 * 3600  # a page outlives no day: its key names the day anyway
SHARED_CACHING = "public, max-age=60, stale-while-revalidate=600"
_SEPARATOR = b"\n"  # between a stored page's media type and its compressed body

Rendered = Response | str
View = TypeVar("View", bound=Callable[..., Any])


class PageStore(Protocol):
    """Where compressed pages are kept under their hashed key."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...

    def clear(self) -> None: ...


class LocalPages:
    """This worker process's pages, least recently used out first."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._pages: LRUCache[str, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._pages.get(key)

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._pages[key] = value

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


class RedisPages:
    """Pages shared by every worker and machine through Redis; a failing Redis is a miss."""

    PREFIX = "guyub:page:"

    def __init__(self, url: str) -> None:
        import redis  # noqa: PLC0415 - only deployments with REDIS_URL need the client

        self._redis = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self._errors = cast(tuple[type[Exception], ...], (redis.RedisError, OSError))

    def get(self, key: str) -> bytes | None:
        try:
            return cast(bytes | None, self._redis.get(self.PREFIX + key))
        except self._errors as exc:
            log.warning("page cache unavailable: %s", exc)
            return None

    def set(self, key: str, value: bytes) -> None:
        try:
            self._redis.set(self.PREFIX + key, value, ex=REDIS_TTL_SECONDS)
        except self._errors as exc:
            log.warning("page cache unavailable: %s", exc)

    def clear(self) -> None:
        for key in self._redis.scan_iter(match=self.PREFIX + "*", count=500):
            self._redis.delete(key)


def make_store(redis_url: str) -> PageStore:
    """Redis when a URL is configured, else this process's own memory."""
    return RedisPages(redis_url) if redis_url else LocalPages()


def _store() -> PageStore:
    return cast(PageStore, current_app.extensions["guyub.pages"])


def tenant_stamps() -> tuple[Hashable, ...]:
    """What every public page of the request's cooperative depends on besides its own
    arguments: the cooperative and its change stamps, the language, the host, its day."""
    summary = g.get("tenant_summary")
    return (
        g.tenant.id,
        g.tenant.updated_at,
        summary.refreshed_at if summary else None,
        str(get_locale()),
        request.url_root,
        clock.today_for(g.tenant),  # "updated N days ago"
    )


def last_changed() -> datetime | None:
    """When the cooperative's public content last changed, as far as its stamps tell."""
    summary = g.get("tenant_summary")
    stamps = [g.tenant.updated_at, summary.refreshed_at if summary else None]
    known = [stamp for stamp in stamps if stamp is not None]
    return max(known) if known else None


def public_page(view: View) -> View:
    """Serve a cooperative's public page from the page cache (see the module's docstring)."""

    @wraps(view)
    def cached_view(**kwargs: Any) -> Rendered:
        if g.get("tenant") is None:
            return cast(Rendered, view(**kwargs))
        key = (request.endpoint, tuple(sorted(kwargs.items())), *tenant_stamps())
        return cached_page(key, lambda: view(**kwargs), modified=last_changed())

    return cast(View, cached_view)


def cached_page(
    key: Hashable, render: Callable[[], Rendered], *, modified: datetime | None = None
) -> Rendered:
    """The page for ``key``: from the cache when the visitor is anonymous, else ``render()``."""
    if current_user.is_authenticated or not session_is_blank():
        return render()
    etag = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    if _not_modified(etag, modified):
        g.kept_page_served = True
        return _shared(current_app.response_class(status=304), etag, modified)
    stored = _store().get(etag)
    g.kept_page_served = stored is not None
    if stored is None:
        rendered = render()
        if not session_is_blank():
            return rendered  # the page wrote to the session: it is this visitor's own
        if isinstance(rendered, Response) and rendered.status_code != 200:
            return rendered
        stored = _pack(rendered)
        _store().set(etag, stored)
    mimetype, _, body = stored.partition(_SEPARATOR)
    response = current_app.response_class(mimetype=mimetype.decode("ascii"))
    if "gzip" in request.accept_encodings:
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(gzip.decompress(body))
    return _shared(response, etag, modified)


def _pack(rendered: Rendered) -> bytes:
    if isinstance(rendered, Response):
        mimetype, data = rendered.mimetype or "text/html", rendered.get_data()
    else:
        mimetype, data = "text/html", rendered.encode("utf-8")
    return mimetype.encode("ascii") + _SEPARATOR + gzip.compress(data, 6, mtime=0)


def _not_modified(etag: str, modified: datetime | None) -> bool:
    """Whether the visitor's copy is current: its ETag, else (only without one) its date."""
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and modified is not None and modified.replace(microsecond=0) <= since


def _shared(response: Response, etag: str, modified: datetime | None) -> Response:
    """``response`` as every anonymous visitor gets it: its validators, and what caches may do."""
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified.astimezone(UTC)
    response.headers["Cache-Control"] = SHARED_CACHING
    response.vary.add("Accept-Encoding")
    response.vary.add("Cookie")
    return response


def clear() -> None:
    """Forget every kept page (the tests start each from none)."""
    _store().clear()
