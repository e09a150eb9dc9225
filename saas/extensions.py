"""Extension instances, configured in ``create_app``."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from htmx_flask import Htmx

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


@limiter.request_filter
def _reading_is_not_limited() -> bool:
    """Every limit counts posts (sign-ins, sign-ups, reset links): a read skips the limiter's
    bookkeeping altogether, the public pages above all."""
    return request.method in {"GET", "HEAD", "OPTIONS"}
