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


def login_limits(view: F) -> F:
    """Refuse sign-in attempts once too many have failed; successes cost nothing."""
    per_account = limiter.limit(
        _allowed_failures, key_func=_account_and_address, methods=["POST"], deduct_when=_failed
    )
    per_address = limiter.limit(
        ADDRESS_FAILURES_ALLOWED, key_func=_address, methods=["POST"], deduct_when=_failed
    )
    return per_address(per_account(view))  # type: ignore[return-value]
