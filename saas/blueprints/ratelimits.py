"""Sign-in throttling: failed attempts are counted per account and address, and per address."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from saas.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])

# Failures from one address across many accounts (password spraying) hit this wider ceiling.
ADDRESS_FAILURES_ALLOWED = "50 per 15 minutes"


def _account_and_address() -> str:
    identifier = (request.form.get("identifier") or "").strip().lower()[:254]
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:24]
    return f"login:{request.host.lower()}:{digest}:{get_remote_address()}"


def _address() -> str:
    return f"login-address:{get_remote_address()}"


def _failed(_response: Response) -> bool:
    return bool(g.get("login_failed"))


def _allowed_failures() -> str:
    return str(current_app.extensions["guyub.settings"].login_failures_allowed)


# Each finished sign-up provisions a schema: a bot must not be able to make thousands.
SIGNUPS_ALLOWED = "5 per hour;20 per day"


def _made_a_cooperative(response: Response) -> bool:
    return response.status_code == 302 and "/masuk/lanjut/" in response.headers.get("Location", "")


def signup_limits(view: F) -> F:
    """Count finished sign-ups per address; failed or unfinished attempts cost nothing."""
    return limiter.limit(  # type: ignore[return-value]
        SIGNUPS_ALLOWED,
        key_func=lambda: f"signup:{get_remote_address()}",
        methods=["POST"],
        deduct_when=_made_a_cooperative,
    )(view)


def login_limits(view: F) -> F:
    """Refuse sign-in attempts once too many have failed; successes cost nothing."""
    per_account = limiter.limit(
        _allowed_failures, key_func=_account_and_address, methods=["POST"], deduct_when=_failed
    )
    per_address = limiter.limit(
        ADDRESS_FAILURES_ALLOWED, key_func=_address, methods=["POST"], deduct_when=_failed
    )
    return per_address(per_account(view))  # type: ignore[return-value]
