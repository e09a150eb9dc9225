"""Whole public pages kept per worker process for anonymous visitors, compressed.

A page is stored only if rendering it left the visitor's session untouched and empty, so
nothing personal (a CSRF token, a flash message, a signed-in menu) is ever shared; signed-in
users and visitors carrying a session always get a fresh render. The caller's key names
everything the page shows (the tenant row's and summary row's change stamps, the language, the
host, the day), so a changed cooperative is never served from here.

The same key, hashed, is the page's ETag: a browser or a proxy that holds the page asks again
with it and is answered 304 before anything renders, and may keep it for a minute (then use it
while asking again for ten more) without asking at all.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from flask import current_app, request
from flask_login import current_user
from werkzeug.wrappers import Response

from saas.security import session_is_blank

MAX_BYTES = 32 * 1024 * 1024  # compressed pages of about 5 KB: several thousand per worker
SHARED_CACHING = "public, max-age=60, stale-while-revalidate=600"

_pages: LRUCache[Hashable, bytes] = LRUCache(maxsize=MAX_BYTES, getsizeof=len)
_lock = threading.Lock()


def cached_page(key: Hashable, render: Callable[[], str]) -> Response | str:
    """The page for ``key``: from the cache when the visitor is anonymous, else ``render()``."""
    if current_user.is_authenticated or not session_is_blank():
        return render()
    etag = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    if request.if_none_match.contains(etag):
        return _shared(current_app.response_class(status=304), etag)
    with _lock:
        body = _pages.get(key)
    if body is None:
        html = render()
        if not session_is_blank():
            return html  # the page wrote to the session: it is this visitor's own
        body = gzip.compress(html.encode("utf-8"), 6, mtime=0)
        with _lock:
            _pages[key] = body
    response = current_app.response_class(mimetype="text/html")
    if "gzip" in request.accept_encodings:
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(gzip.decompress(body))
    return _shared(response, etag)


def _shared(response: Response, etag: str) -> Response:
    """``response`` as every anonymous visitor gets it: its ETag, and what caches may do."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = SHARED_CACHING
    response.vary.add("Accept-Encoding")
    response.vary.add("Cookie")
    return response


def clear() -> None:
    with _lock:
        _pages.clear()
